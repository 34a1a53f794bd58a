import { describe, expect, it } from '@jest/globals';
import { validateRegisteredClaims } from '../claims/registered-claims.validator.js';
import { type InvalidTokenError } from '../errors/bearer-token.errors.js';
import { claimReaderFor, valueAt } from './claim-sources.js';

describe('valueAt', () => {
  const claims = { 'a.b': 1, a: { b: 2, 'c.d': { e: 3 } } };

  it('reads a name exactly first, then as a dotted path', () => {
    expect(valueAt(claims, 'a.b')).toBe(1);
    expect(valueAt({ a: { b: 2 } }, 'a.b')).toBe(2);
  });

  it('walks an array path key by key, dots and all', () => {
    expect(valueAt(claims, ['a', 'c.d', 'e'])).toBe(3);
    expect(valueAt(claims, ['a', 'c', 'd', 'e'])).toBeUndefined();
    expect(valueAt(claims, ['a', 'toString'])).toBeUndefined(); // own properties only
  });
});

describe('claimReaderFor', () => {
  const reader = claimReaderFor({
    scopes: [
      { claim: 'scope', format: 'space-separated' },
      { claim: 'permissions', format: 'array' },
    ],
    roles: [['realm_access', 'roles'], 'groups'],
  });

  it('unites the scopes of every claim, as whole values, each in its own format', () => {
    const scopes = reader.scopes({ scope: 'a b', permissions: ['c', 'd e', 7] });
    expect([...scopes]).toEqual(['a', 'b', 'c', 'd e']);
    expect([...reader.scopes(JSON.parse('{"scope":["a"],"permissions":"c"}'))]).toEqual([]); // wrong formats grant nothing
  });

  it('unites the roles of every path; a single string is one role', () => {
    expect(reader.roles({ realm_access: { roles: ['x', 1] }, groups: 'y' })).toEqual(['x', 'y']);
  });
});

describe('validateRegisteredClaims with a provider’s rules', () => {
  const now = Date.UTC(2026, 0, 1);
  const policy = {
    issuer: 'https://as',
    audiences: new Set(['client-1']),
    clock: () => now,
    clockToleranceSeconds: 0,
    audienceFallbackClaim: 'client_id',
    claimRules: [
      { claim: 'token_use', equals: 'access' },
      { claim: 'typ', equals: 'Bearer', whenPresent: true },
    ],
  };
  const token = { iss: 'https://as', exp: now / 1000 + 60, client_id: 'client-1', token_use: 'access' };
  const reasonOf = (claims: object) => {
    try {
      validateRegisteredClaims(claims, policy, true);
      return 'accepted';
    } catch (error) {
      return (error as InvalidTokenError).reason;
    }
  };

  it.each<[string, object, string]>([
    ['no aud, client_id accepted', token, 'accepted'],
    ['no aud, client_id of another client', { ...token, client_id: 'other' }, 'audience_mismatch'],
    ['an aud, even with an accepted client_id, must hold', { ...token, aud: 'other' }, 'audience_mismatch'],
    ['no token_use', { ...token, token_use: undefined }, 'token_type_not_accepted'],
    ['typ Bearer', { ...token, typ: 'Bearer' }, 'accepted'],
    ['typ Refresh', { ...token, typ: 'Refresh' }, 'token_type_not_accepted'],
  ])('%s: %s', (_case, claims, reason) => {
    expect(reasonOf(JSON.parse(JSON.stringify(claims)))).toBe(reason);
  });
});
