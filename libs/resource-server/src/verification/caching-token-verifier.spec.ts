import { describe, expect, it } from '@jest/globals';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { CachingTokenVerifier } from './caching-token-verifier.js';
import type { TokenVerifier, VerificationContext } from './token-verifier.js';

const NOW = Date.UTC(2026, 0, 1);
const context: VerificationContext = { source: 'header', method: 'GET', url: '/' };

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
      const first = await verifier.verify('t1', context);
      const second = await verifier.verify('t1', context);
      expect(calls).toEqual(['t1']);
      expect(second).toEqual({ token: 't1', claims: first.claims, strategy: 'jwt' });
      expect(second.claims).toBe(first.claims);
      expect(Object.isFrozen(first.claims)).toBe(true);
      expect(Object.isFrozen(first.claims.roles)).toBe(true);
      expect(Object.isFrozen(first.claims.address)).toBe(true);
    });

    it('never keeps the token itself: entries hold its hash, the claims and the key-set version', async () => {
      const { verifier: inner } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner);
      const token = 'eyJ-a-token-that-must-not-stay-in-memory';
      await verifier.verify(token, context);
      const entries = (verifier as unknown as { entries: { dump(): unknown } }).entries.dump();
      expect(JSON.stringify(entries)).not.toContain(token);
      expect(JSON.stringify(entries)).toContain('alice');
      expect(verifier.verify(token, context)).toMatchObject({ token, claims: { sub: 'alice' } });
    });

    it('keeps nothing for a token that expires now', async () => {
      const { verifier: inner } = innerVerifier('jwt', () => ({ exp: NOW / 1000 }));
      const verifier = cachingVerifier(inner);
      await verifier.verify('t1', context);
      expect(verifier.size).toBe(0);
    });

    it('does not use an entry when the key set changed while the token was being verified', async () => {
      const keys = { version: 0 };
      const { verifier: inner, calls } = innerVerifier('jwt', claims, () => keys.version++);
      const verifier = cachingVerifier(inner, keys);
      await verifier.verify('t1', context);
      await verifier.verify('t1', context);
      expect(calls).toEqual(['t1', 't1']);
    });
  });

  describe('verify, answered from memory', () => {
    it('answers at once, without a promise, for a token verified before', async () => {
      const { verifier: inner } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner);
      await verifier.verify('t1', context);
      const hit = verifier.verify('t1', context);
      expect(hit).not.toBeInstanceOf(Promise);
      expect(hit).toMatchObject({ token: 't1', claims: { sub: 'alice' }, strategy: 'jwt' });
    });

    it('answers at once when the inner verifier does, and keeps the result', () => {
      const calls: string[] = [];
      const inner: TokenVerifier = {
        verify: (token) => (calls.push(token), { token, claims: claims(), strategy: 'jwt' }),
      };
      const verifier = cachingVerifier(inner);
      expect(verifier.verify('t1', context)).not.toBeInstanceOf(Promise);
      verifier.verify('t1', context);
      expect(calls).toEqual(['t1']);
    });

    it('verifies again when the key set has another version', async () => {
      const keys = { version: 0 };
      const { verifier: inner, calls } = innerVerifier('jwt', claims);
      const verifier = cachingVerifier(inner, keys);
      await verifier.verify('t1', context);
      keys.version = 1;
      await verifier.verify('t1', context);
      expect(calls).toEqual(['t1', 't1']);
    });

    it('verifies again once exp has passed (the time rule, with its tolerance)', async () => {
      let now = NOW;
      const { verifier: inner, calls } = innerVerifier('jwt', () => ({ exp: NOW / 1000 + 10 }));
      const verifier = cachingVerifier(inner, { version: 0 }, () => now);
      await verifier.verify('t1', context);
      now += 9_000;
      await verifier.verify('t1', context);
      expect(calls).toEqual(['t1']);
      now += 1_000;
      await verifier.verify('t1', context);
      expect(calls).toEqual(['t1', 't1']);
    });
  });
});
