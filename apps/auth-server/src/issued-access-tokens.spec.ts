import { beforeEach, describe, expect, it } from '@jest/globals';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Provider, TokenModel } from 'oidc-provider';
import { IssuedAccessTokens, looksLikeJws } from './issued-access-tokens.js';

const ISSUER = 'http://auth.test';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key: KeyObject = privateKey) {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

describe('IssuedAccessTokens', () => {
  let now: number;
  let grants: Set<string>;
  let events: EventEmitter;
  let tokens: IssuedAccessTokens;
  const issue = (jti: string, grantId = 'g1') =>
    events.emit('access_token.issued', { jti, grantId, expiration: 60 } as unknown as TokenModel);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    sub: 'alice',
    jti: 't1',
    exp: now + 60,
    ...extra,
  });

  beforeEach(() => {
    now = 1_000_000;
    grants = new Set(['g1']);
    events = new EventEmitter();
    // a stand-in for the provider: its issued-token event and its grant store only
    const provider = Object.assign(events, {
      issuer: ISSUER,
      Grant: { find: async (id: string) => (grants.has(id) ? { isExpired: false } : undefined) },
    }) as unknown as Provider;
    tokens = new IssuedAccessTokens(provider, { kid: 'k1', publicKey: createPublicKey(privateKey) }, () => now);
    issue('t1');
  });

  describe('verify', () => {
    it('returns the claims of a live token it issued', async () => {
      expect(await tokens.verify(jwt(claims()))).toEqual(claims());
    });

    it.each<[string, () => string]>([
      ['expired', () => jwt(claims({ exp: now }))],
      ['without exp', () => jwt(claims({ exp: undefined }))],
      ['from another issuer', () => jwt(claims({ iss: 'http://evil.test' }))],
      ['never issued (unknown jti)', () => jwt(claims({ jti: 'forged' }))],
      ['signed by another key', () => jwt(claims(), {}, otherKey)],
      ['with another kid', () => jwt(claims(), { kid: 'k2' })],
      ['of another typ (an ID token)', () => jwt(claims(), { typ: 'JWT' })],
      ['with alg none', () => `${jwt(claims(), { alg: 'none' }).split('.').slice(0, 2).join('.')}.`],
      ['tampered', () => jwt(claims()).replace(/\.[^.]+\./, `.${Buffer.from('{"sub":"bob"}').toString('base64url')}.`)],
      ['not a JWT', () => 'opaque-token'],
    ])('returns undefined for a token %s', async (_name, token) => {
      expect(await tokens.verify(token())).toBeUndefined();
    });

    it('returns undefined once the grant is revoked', async () => {
      grants.delete('g1');
      expect(await tokens.verify(jwt(claims()))).toBeUndefined();
    });

    it('forgets tokens once expired, when the next one is issued', async () => {
      now += 61;
      issue('t2');
      now -= 61; // the clock going back cannot revive a forgotten token
      expect(await tokens.verify(jwt(claims()))).toBeUndefined();
    });
  });

  describe('looksLikeJws', () => {
    it('tells compact JWS from opaque tokens', () => {
      expect(looksLikeJws(jwt(claims()))).toBe(true);
      expect(looksLikeJws('abc.def')).toBe(false);
      expect(looksLikeJws('opaque_Token-123')).toBe(false);
    });
  });
});
