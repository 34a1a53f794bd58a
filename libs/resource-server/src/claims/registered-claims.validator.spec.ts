import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { hasAudience, validateRegisteredClaims, type RegisteredClaimsPolicy } from './registered-claims.validator.js';

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const ISSUER = 'https://issuer.example/realms/demo';

const policy: RegisteredClaimsPolicy = {
  issuer: ISSUER,
  audiences: new Set(['todo-api', 'todo-admin']),
  clockToleranceSeconds: 30,
  clock: () => NOW_MS,
};

const valid = { iss: ISSUER, aud: 'todo-api', exp: NOW + 300, nbf: NOW - 10, iat: NOW - 10, sub: 'alice' };

function rejection(claims: unknown, required = true, withPolicy: RegisteredClaimsPolicy = policy): InvalidTokenError {
  let caught: unknown;
  try {
    validateRegisteredClaims(claims, withPolicy, required);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  const error = caught as InvalidTokenError;
  expect(error.status).toBe(401);
  expect(error.code).toBe('invalid_token');
  return error;
}

const accepts = (claims: unknown, required = true, withPolicy: RegisteredClaimsPolicy = policy) =>
  expect(() => validateRegisteredClaims(claims, withPolicy, required)).not.toThrow();

describe('validateRegisteredClaims', () => {
  it('accepts valid claims', () => {
    accepts(valid);
  });

  describe('claims shape', () => {
    it.each<[string, unknown]>([
      ['an array', [valid]],
      ['null', null],
      ['undefined', undefined],
      ['a string', JSON.stringify(valid)],
      ['a number', 42],
    ])('rejects %s as claims_not_object', (_case, claims) => {
      expect(rejection(claims).reason).toBe('token_malformed');
      expect(rejection(claims, false).reason).toBe('token_malformed');
    });
  });

  describe('iss', () => {
    it.each([
      ['with a trailing slash', `${ISSUER}/`],
      ['in another case', ISSUER.toUpperCase()],
      ['with another host', 'https://evil.example/realms/demo'],
      ['as a prefix', 'https://issuer.example/realms'],
      ['empty', ''],
    ])('rejects an issuer %s', (_case, iss) => {
      expect(rejection({ ...valid, iss }).reason).toBe('issuer_mismatch');
      expect(rejection({ ...valid, iss }, false).reason).toBe('issuer_mismatch');
    });

    it('rejects a non-string issuer', () => {
      expect(rejection({ ...valid, iss: [ISSUER] }).reason).toBe('issuer_mismatch');
    });

    it('rejects a missing issuer when claims are required', () => {
      const { iss: _iss, ...claims } = valid;
      expect(rejection(claims, true).reason).toBe('issuer_mismatch');
    });

    it('accepts a missing issuer when claims are not required', () => {
      const { iss: _iss, ...claims } = valid;
      accepts(claims, false);
    });
  });

  describe('aud', () => {
    it.each<[string, unknown]>([
      ['a string', 'todo-admin'],
      ['an array holding one', ['help-api', 'todo-api']],
      ['an array with non-string members besides one', [42, null, { aud: 'x' }, 'todo-api']],
    ])('accepts %s', (_case, aud) => {
      accepts({ ...valid, aud });
    });

    it.each<[string, unknown]>([
      ['another audience', 'help-api'],
      ['a case variant', 'TODO-API'],
      ['a prefix', 'todo'],
      ['an empty array', []],
      ['an array of others', ['help-api', 'admin']],
      ['only non-string members', [42, null, ['todo-api']]],
      ['a number', 7],
      ['an object', { 'todo-api': true }],
    ])('rejects %s', (_case, aud) => {
      expect(rejection({ ...valid, aud }).reason).toBe('audience_mismatch');
    });

    it('rejects a missing audience whether or not claims are required', () => {
      const { aud: _aud, ...claims } = valid;
      expect(rejection(claims, true).reason).toBe('audience_mismatch');
      expect(rejection(claims, false).reason).toBe('audience_mismatch');
    });
  });

  describe('exp', () => {
    it('rejects a missing exp when claims are required', () => {
      const { exp: _exp, ...claims } = valid;
      expect(rejection(claims, true).reason).toBe('token_malformed');
    });

    it('accepts a missing exp when claims are not required', () => {
      const { exp: _exp, ...claims } = valid;
      accepts(claims, false);
    });

    it.each<[string, unknown]>([
      ['a numeric string', String(NOW + 300)],
      ['null', null],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['a boolean', true],
    ])('rejects %s as exp_invalid', (_case, exp) => {
      expect(rejection({ ...valid, exp }, true).reason).toBe('token_malformed');
      expect(rejection({ ...valid, exp }, false).reason).toBe('token_malformed');
    });

    it.each([
      ['in the future', NOW + 1],
      ['a fraction of a second ahead', NOW + 0.5],
      ['in the past within the tolerance', NOW - 29],
      ['just inside the tolerance', NOW - 29.999],
    ])('accepts an exp %s', (_case, exp) => {
      accepts({ ...valid, exp });
    });

    it.each([
      ['exactly the tolerance ago', NOW - 30],
      ['beyond the tolerance', NOW - 31],
      ['long ago', NOW - 86_400],
    ])('rejects an exp %s as token_expired', (_case, exp) => {
      expect(rejection({ ...valid, exp }).reason).toBe('token_expired');
      expect(rejection({ ...valid, exp }, false).reason).toBe('token_expired');
    });

    it('rejects an exp exactly at now when there is no tolerance', () => {
      const strict = { ...policy, clockToleranceSeconds: 0 };
      expect(rejection({ ...valid, exp: NOW }, true, strict).reason).toBe('token_expired');
      accepts({ ...valid, exp: NOW + 1 }, true, strict);
    });

    it('accepts an exp exactly at now within the tolerance', () => {
      accepts({ ...valid, exp: NOW });
    });
  });

  describe.each([
    ['nbf', 'token_not_yet_valid', 'token_malformed'],
    ['iat', 'token_not_yet_valid', 'token_malformed'],
  ])('%s', (claim, futureReason, invalidReason) => {
    it.each([
      ['in the past', NOW - 3600],
      ['exactly now', NOW],
      ['in the future within the tolerance', NOW + 29],
      ['exactly at the tolerance', NOW + 30],
    ])(`accepts ${claim} %s`, (_case, value) => {
      accepts({ ...valid, [claim]: value });
    });

    it.each([
      ['just beyond the tolerance', NOW + 30.001],
      ['beyond the tolerance', NOW + 31],
      ['far in the future', NOW + 86_400],
    ])(`rejects ${claim} %s`, (_case, value) => {
      expect(rejection({ ...valid, [claim]: value }).reason).toBe(futureReason);
      expect(rejection({ ...valid, [claim]: value }, false).reason).toBe(futureReason);
    });

    it(`rejects ${claim} in the future at all when there is no tolerance`, () => {
      const strict = { ...policy, clockToleranceSeconds: 0 };
      expect(rejection({ ...valid, [claim]: NOW + 1 }, true, strict).reason).toBe(futureReason);
    });

    it.each<[string, unknown]>([
      ['a numeric string', String(NOW)],
      ['null', null],
      ['NaN', Number.NaN],
    ])(`rejects a ${claim} that is %s`, (_case, value) => {
      expect(rejection({ ...valid, [claim]: value }).reason).toBe(invalidReason);
    });

    it(`accepts a missing ${claim}`, () => {
      const claims: Record<string, unknown> = { ...valid };
      delete claims[claim];
      accepts(claims);
    });
  });

  it('reads the time from the injected clock', () => {
    const later = { ...policy, clock: () => NOW_MS + 600_000 };
    accepts(valid);
    expect(rejection(valid, true, later).reason).toBe('token_expired');
  });

  it('accepts introspection-style claims holding only aud when not required', () => {
    accepts({ active: true, aud: 'todo-api' }, false);
  });

  describe('order (the contract: times, then iss, then aud, then id-token markers)', () => {
    it('names the time first when exp, iss and aud all fail', () => {
      expect(rejection({ ...valid, exp: NOW - 60, iss: 'https://other', aud: 'other' }).reason).toBe('token_expired');
    });

    it('names iss before aud', () => {
      expect(rejection({ ...valid, iss: 'https://other', aud: 'other' }).reason).toBe('issuer_mismatch');
    });

    it('names aud before the id-token markers', () => {
      expect(rejection({ ...valid, aud: 'other', at_hash: 'x' }).reason).toBe('audience_mismatch');
    });
  });

  describe('id tokens (never an access token, whatever the aud)', () => {
    it.each<[string, Record<string, unknown>]>([
      ['at_hash', { at_hash: 'abc' }],
      ['c_hash', { c_hash: 'abc' }],
      ['s_hash', { s_hash: 'abc' }],
      ['nonce without scope, scp or client_id', { nonce: 'n-0S6' }],
      ['token_use id (Cognito)', { token_use: 'id' }],
      ['a typ claim of ID (Keycloak)', { typ: 'ID' }],
      ['a typ claim of id in another case', { typ: 'id' }],
    ])('refuses a token carrying %s as token_type_not_accepted', (_case, markers) => {
      expect(rejection({ ...valid, ...markers }).reason).toBe('token_type_not_accepted');
    });

    it.each<[string, Record<string, unknown>]>([
      ['nonce with scope', { nonce: 'n', scope: 'todo:read' }],
      ['nonce with scp', { nonce: 'n', scp: ['todo:read'] }],
      ['nonce with client_id', { nonce: 'n', client_id: 'web' }],
      ['token_use access', { token_use: 'access' }],
      ['a typ claim of Bearer (Keycloak access token)', { typ: 'Bearer' }],
    ])('accepts an access token carrying %s', (_case, claims) => {
      accepts({ ...valid, ...claims });
    });

    it('refuses an introspection response that describes an id token', () => {
      expect(rejection({ active: true, aud: 'todo-api', at_hash: 'x' }, false).reason).toBe('token_type_not_accepted');
    });
  });
});

describe('hasAudience', () => {
  const accepted = new Set(['todo-api']);

  it.each<[string, unknown, boolean]>([
    ['a matching string', 'todo-api', true],
    ['another string', 'help-api', false],
    ['an array holding it', ['x', 'todo-api'], true],
    ['an array without it', ['x'], false],
    ['undefined', undefined, false],
    ['an object', { 0: 'todo-api', length: 1 }, false],
  ])('answers for %s', (_case, aud, answer) => {
    expect(hasAudience(aud, accepted)).toBe(answer);
  });
});
