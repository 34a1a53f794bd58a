import { describe, expect, it } from '@jest/globals';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { IssuerRoutingVerifier, unverifiedIssuer } from './issuer-routing.verifier.js';
import type { TokenVerifier } from './token-verifier.js';

const jws = (payload: unknown) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
const context = { source: 'header', method: 'GET', url: '/' } as const;
const named = (name: string): TokenVerifier => ({ verify: (token) => ({ token, claims: {}, strategy: name }) });
const reasonOf = async (run: () => unknown) => {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    return error instanceof InvalidTokenError ? error.reason : (error as Error).name;
  }
};

describe('unverifiedIssuer', () => {
  it('reads iss from the payload, and nothing from what is not a JSON object with a string iss', () => {
    expect(unverifiedIssuer(jws({ iss: 'https://a' }))).toBe('https://a');
    expect(unverifiedIssuer(jws({ iss: 1 }))).toBeUndefined();
    expect(unverifiedIssuer(jws(null))).toBeUndefined();
    expect(unverifiedIssuer('opaque')).toBeUndefined();
    expect(unverifiedIssuer('a.%%%.c')).toBeUndefined();
  });
});

describe('IssuerRoutingVerifier', () => {
  const verifiers = new Map([
    ['https://a', named('a')],
    ['https://b', named('b')],
  ]);

  it('hands the token to its issuer’s verifier, by exact iss', () => {
    const router = new IssuerRoutingVerifier({ verifiers, checkHeader: () => undefined });
    expect(router.verify(jws({ iss: 'https://b' }), context)).toMatchObject({ strategy: 'b' });
  });

  it('refuses an unlisted iss as issuer_mismatch, and no iss as token_malformed, after the header checks', async () => {
    const checked: string[] = [];
    const router = new IssuerRoutingVerifier({ verifiers, checkHeader: (token) => void checked.push(token) });
    expect(await reasonOf(() => router.verify(jws({ iss: 'https://a/' }), context))).toBe('issuer_mismatch');
    expect(await reasonOf(() => router.verify(jws({}), context))).toBe('token_malformed');
    expect(checked).toHaveLength(2);
  });

  it('asks the resolver once per accepted issuer, and again for one it refused', async () => {
    const asked: string[] = [];
    const router = new IssuerRoutingVerifier({
      verifiers: new Map(),
      checkHeader: () => undefined,
      resolve: async (iss) => {
        asked.push(iss);
        return iss === 'https://t1' ? named('t1') : undefined;
      },
    });
    const t1 = jws({ iss: 'https://t1' });
    await Promise.all([router.verify(t1, context), router.verify(t1, context)]);
    expect(router.verify(t1, context)).toMatchObject({ strategy: 't1' }); // at once now
    expect(await reasonOf(() => router.verify(jws({ iss: 'https://x' }), context))).toBe('issuer_mismatch');
    expect(await reasonOf(() => router.verify(jws({ iss: 'https://x' }), context))).toBe('issuer_mismatch');
    expect(asked).toEqual(['https://t1', 'https://x', 'https://x']);
  });

  it('keeps the maxResolved most recently used issuers, and resolves a dropped one again', async () => {
    const asked: string[] = [];
    const router = new IssuerRoutingVerifier({
      verifiers: new Map(),
      checkHeader: () => undefined,
      resolve: (iss) => {
        asked.push(iss);
        return named(iss);
      },
      maxResolved: 2,
    });
    for (const iss of ['https://t1', 'https://t2', 'https://t1', 'https://t3', 'https://t2']) {
      expect(router.verify(jws({ iss }), context)).toMatchObject({ strategy: iss });
    }
    expect(asked).toEqual(['https://t1', 'https://t2', 'https://t3', 'https://t2']);
  });

  it('turns a failing resolver into the authorization side’s 503, never a 401', async () => {
    const router = new IssuerRoutingVerifier({
      verifiers: new Map(),
      checkHeader: () => undefined,
      resolve: () => {
        throw new Error('directory down');
      },
    });
    expect(await reasonOf(() => router.verify(jws({ iss: 'https://t' }), context))).toBe(
      AuthorizationServerUnavailableError.name,
    );
  });
});
