import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { CachingTokenVerifier } from './caching-token-verifier.js';
import type { TokenVerifier } from './token-verifier.js';

const NOW = Date.UTC(2026, 0, 1);
const request = {} as IncomingMessage;
const response = {} as ServerResponse;

/** A verifier that counts its calls and answers with `claims` for the given strategy. */
function innerVerifier(strategy: VerifiedToken['strategy'], claims: () => AccessTokenClaims, onVerify = () => {}) {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async verify(token) {
      calls.push(token);
      onVerify();
      return { token, claims: claims(), strategy };
    },
  };
  return { verifier, calls };
}

function cachingVerifier(inner: TokenVerifier, keys = { version: 0 }, now = () => NOW) {
  return new CachingTokenVerifier(
    inner,
    { keySetVersion: () => keys.version },
    { ttlSeconds: 60, maxEntries: 10, clockToleranceSeconds: 0, clock: now },
  );
}

const claims = () => ({ sub: 'alice', exp: NOW / 1000 + 300, roles: ['reader'], address: { country: 'FR' } });

describe('CachingTokenVerifier', () => {
  describe('verify', () => {
    it('verifies a token once, then answers with the same claims, deeply frozen', async () => {
      const { verifier: inner, calls } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner);
      const first = await verifier.verify('t1', request, response);
      const second = await verifier.verify('t1', request, response);
      expect(calls).toEqual(['t1']);
      expect(second).toEqual({ token: 't1', claims: first.claims, strategy: 'jwt' });
      expect(second.claims).toBe(first.claims);
      expect(Object.isFrozen(first.claims)).toBe(true);
      expect(Object.isFrozen(first.claims.roles)).toBe(true);
      expect(Object.isFrozen(first.claims.address)).toBe(true);
    });

    it('keeps nothing an introspection verified', async () => {
      const { verifier: inner, calls } = innerVerifier('introspection', claims);
      const verifier = cachingVerifier(inner);
      await verifier.verify('opaque', request, response);
      await verifier.verify('opaque', request, response);
      expect(calls).toEqual(['opaque', 'opaque']);
      expect(verifier.size).toBe(0);
    });

    it('keeps nothing for a token that expires now', async () => {
      const { verifier: inner } = innerVerifier('jwt', () => ({ exp: NOW / 1000 }));
      const verifier = cachingVerifier(inner);
      await verifier.verify('t1', request, response);
      expect(verifier.size).toBe(0);
    });

    it('does not use an entry when the key set changed while the token was being verified', async () => {
      const keys = { version: 0 };
      const { verifier: inner, calls } = innerVerifier('jwt', claims, () => keys.version++);
      const verifier = cachingVerifier(inner, keys);
      await verifier.verify('t1', request, response);
      expect(verifier.verifyCached('t1')).toBeUndefined();
      await verifier.verify('t1', request, response);
      expect(calls).toEqual(['t1', 't1']);
    });
  });

  describe('verifyCached', () => {
    it('answers undefined for a token never verified', () => {
      const { verifier: inner } = innerVerifier('jwt', claims);
      expect(cachingVerifier(inner).verifyCached('t1')).toBeUndefined();
    });

    it('answers at once, without a promise, for a token verified before', async () => {
      const { verifier: inner } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner);
      await verifier.verify('t1', request, response);
      expect(verifier.verifyCached('t1')).toMatchObject({ token: 't1', claims: { sub: 'alice' }, strategy: 'jwt' });
      expect(verifier.verifyCached('t2')).toBeUndefined();
    });

    it('drops the entry when the key set has another version', async () => {
      const keys = { version: 0 };
      const { verifier: inner } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner, keys);
      await verifier.verify('t1', request, response);
      keys.version = 1;
      expect(verifier.verifyCached('t1')).toBeUndefined();
      expect(verifier.size).toBe(0);
    });
  });
});
