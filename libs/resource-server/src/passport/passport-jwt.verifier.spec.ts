import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { signJws } from '../testing/sign-jws.js';
import { PassportJwtVerifier, type JwtVerifierPolicy, type SigningKeySource } from './passport-jwt.verifier.js';

const NOW_MS = Date.UTC(2026, 0, 1);
const NOW = NOW_MS / 1000;
const ISSUER = 'https://issuer.example';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const policy: JwtVerifierPolicy = {
  header: { algorithms: ['RS256', 'ES256'], hmacConfigured: false, requireAccessTokenType: false },
  claims: { issuer: ISSUER, audiences: new Set(['api']), clockToleranceSeconds: 0, clock: () => NOW_MS },
};
const claims = { iss: ISSUER, aud: 'api', sub: 'alice', exp: NOW + 300 };
const token = (payload: unknown = claims, key: KeyObject = rsa.privateKey, alg = 'RS256', kid = 'k1') =>
  signJws({ alg, kid, typ: 'JWT' }, payload, key);

/** Keys by kid, answered at once or, with `later`, after a tick (as after a JWKS fetch). */
function keys(byKid: Record<string, KeyObject>, later = false): SigningKeySource {
  return {
    key(kid) {
      const key = byKid[kid];
      if (!key) throw new InvalidTokenError('token signing key (kid) is unknown', 'key_unknown');
      return later ? Promise.resolve(key) : key;
    },
  };
}

async function reasonOf(outcome: () => VerifiedToken | Promise<VerifiedToken>): Promise<string> {
  try {
    await outcome();
  } catch (error) {
    return (error as InvalidTokenError).reason;
  }
  throw new Error('expected a refusal');
}

describe('PassportJwtVerifier', () => {
  describe('verify', () => {
    it('answers at once, without a promise, when the key is in memory', () => {
      const verifier = new PassportJwtVerifier(policy, keys({ k1: rsa.publicKey }));
      const jwt = token();
      const verified = verifier.verify(jwt);
      expect(verified).not.toBeInstanceOf(Promise);
      expect(verified).toEqual({ token: jwt, claims, strategy: 'jwt' });
    });

    it('answers with a promise when the key must be fetched first', async () => {
      const verifier = new PassportJwtVerifier(policy, keys({ k1: rsa.publicKey }, true));
      const verified = verifier.verify(token());
      expect(verified).toBeInstanceOf(Promise);
      await expect(verified).resolves.toMatchObject({ claims: { sub: 'alice' }, strategy: 'jwt' });
    });

    it('verifies ES256 with an EC key', () => {
      const verifier = new PassportJwtVerifier(policy, keys({ k1: ec.publicKey }));
      expect(verifier.verify(token(claims, ec.privateKey, 'ES256'))).toMatchObject({ strategy: 'jwt' });
    });

    it.each<[string, () => string, Record<string, KeyObject>, string]>([
      [
        'a signature by another key',
        () => token(claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
        { k1: rsa.publicKey },
        'signature_invalid',
      ],
      [
        'an ES256 signature of the wrong length',
        () =>
          `${token(claims, ec.privateKey, 'ES256').split('.', 2).join('.')}.${Buffer.alloc(60, 7).toString('base64url')}`,
        { k1: ec.publicKey },
        'signature_invalid',
      ],
      [
        'RS256 verified against an EC key (the key store refuses this pair first; jsonwebtoken still does)',
        () => token(),
        { k1: ec.publicKey },
        'signature_invalid',
      ],
      ['an unknown kid', () => token(claims, rsa.privateKey, 'RS256', 'k9'), { k1: rsa.publicKey }, 'key_unknown'],
      ['alg none', () => signJws({ alg: 'none', kid: 'k1' }, claims), { k1: rsa.publicKey }, 'algorithm_not_allowed'],
      ['a signed payload that is not JSON', () => token('not json'), { k1: rsa.publicKey }, 'token_malformed'],
      ['a signed JSON array payload', () => token([1, 2]), { k1: rsa.publicKey }, 'token_malformed'],
      [
        'an expired token with a valid signature',
        () => token({ ...claims, exp: NOW - 1 }),
        { k1: rsa.publicKey },
        'token_expired',
      ],
      ['another audience', () => token({ ...claims, aud: 'other' }), { k1: rsa.publicKey }, 'audience_mismatch'],
    ])('refuses %s', async (_case, make, byKid, reason) => {
      const verifier = new PassportJwtVerifier(policy, keys(byKid));
      expect(await reasonOf(() => verifier.verify(make()))).toBe(reason);
    });

    it('never calls a forged token expired: the signature is checked before exp', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const verifier = new PassportJwtVerifier(policy, keys({ k1: rsa.publicKey }));
      expect(await reasonOf(() => verifier.verify(token({ ...claims, exp: NOW - 1 }, other)))).toBe(
        'signature_invalid',
      );
    });

    it('passes an unavailable key source on as it is (503, not 401)', async () => {
      const down: SigningKeySource = {
        key: () => Promise.reject(new AuthorizationServerUnavailableError('jwks: refused', 'jwks_unreachable')),
      };
      const verifier = new PassportJwtVerifier(policy, down);
      await expect(verifier.verify(token())).rejects.toBeInstanceOf(AuthorizationServerUnavailableError);
    });
  });
});
