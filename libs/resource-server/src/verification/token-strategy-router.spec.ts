import { describe, expect, it } from '@jest/globals';
import { TokenStrategyRouter } from './token-strategy-router.js';
import type { TokenVerifier, VerificationContext } from './token-verifier.js';

const context: VerificationContext = { source: 'header', method: 'GET', url: '/' };

function named(strategy: string): TokenVerifier & { seen: string[] } {
  const seen: string[] = [];
  return { seen, verify: (token) => (seen.push(token), { token, claims: {}, strategy }) };
}

describe('TokenStrategyRouter', () => {
  describe('verify', () => {
    it('hands a token the predicate recognizes to the first verifier and any other to the second', () => {
      const jwt = named('jwt');
      const opaque = named('introspection');
      const router = new TokenStrategyRouter((token) => token.includes('.'), jwt, opaque);
      expect(router.verify('a.b.c', context)).toMatchObject({ strategy: 'jwt' });
      expect(router.verify('opaque', context)).toMatchObject({ strategy: 'introspection' });
      expect(jwt.seen).toEqual(['a.b.c']);
      expect(opaque.seen).toEqual(['opaque']);
    });

    it('answers at once when the chosen verifier does', () => {
      const router = new TokenStrategyRouter(() => true, named('jwt'), named('introspection'));
      expect(router.verify('t', context)).not.toBeInstanceOf(Promise);
    });
  });
});
