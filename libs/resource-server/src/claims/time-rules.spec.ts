import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { checkTimes, reusableForMs, type TimePolicy } from './time-rules.js';

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const policy: TimePolicy = { clockToleranceSeconds: 30, clock: () => NOW_MS };

function reasonFor(claims: Record<string, unknown>, requireExp = true, withPolicy = policy): string | undefined {
  try {
    checkTimes(claims, withPolicy, requireExp);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
}

describe('checkTimes', () => {
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['exp ahead', { exp: NOW + 60 }, undefined],
    ['exp passed within the tolerance', { exp: NOW - 29 }, undefined],
    ['exp passed by exactly the tolerance', { exp: NOW - 30 }, 'token_expired'],
    ['exp passed beyond the tolerance', { exp: NOW - 31 }, 'token_expired'],
    ['nbf ahead within the tolerance', { exp: NOW + 60, nbf: NOW + 30 }, undefined],
    ['nbf ahead beyond the tolerance', { exp: NOW + 60, nbf: NOW + 31 }, 'token_not_yet_valid'],
    ['iat ahead beyond the tolerance', { exp: NOW + 60, iat: NOW + 31 }, 'token_not_yet_valid'],
    ['exp missing', {}, 'token_malformed'],
    ['exp a string', { exp: String(NOW + 60) }, 'token_malformed'],
    ['nbf null', { exp: NOW + 60, nbf: null }, 'token_malformed'],
    ['iat infinite', { exp: NOW + 60, iat: Infinity }, 'token_malformed'],
  ])('answers %s with %s', (_case, claims, reason) => {
    expect(reasonFor(claims)).toBe(reason);
  });

  it('names the expiry first when exp and nbf both fail', () => {
    expect(reasonFor({ exp: NOW - 60, nbf: NOW + 60 })).toBe('token_expired');
  });

  it('lets a missing exp through only when it is not required (introspection, cache hits)', () => {
    expect(reasonFor({}, false)).toBeUndefined();
    expect(reasonFor({ exp: NOW - 60 }, false)).toBe('token_expired');
  });

  it('reads the injected clock', () => {
    expect(reasonFor({ exp: NOW + 60 }, true, { ...policy, clock: () => NOW_MS + 91_000 })).toBe('token_expired');
  });
});

describe('reusableForMs', () => {
  it('is the TTL when exp is further away', () => {
    expect(reusableForMs({ exp: NOW + 3600 }, 60, policy)).toBe(60_000);
  });

  it('is cut where exp plus the tolerance ends the token', () => {
    expect(reusableForMs({ exp: NOW + 10 }, 60, policy)).toBe(40_000);
  });

  it('is zero or less once the token is past use', () => {
    expect(reusableForMs({ exp: NOW - 30 }, 60, policy)).toBeLessThanOrEqual(0);
  });

  it('is the TTL without an exp', () => {
    expect(reusableForMs({}, 60, policy)).toBe(60_000);
  });
});
