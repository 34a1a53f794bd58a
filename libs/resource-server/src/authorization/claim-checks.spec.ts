import { describe, expect, it, jest } from '@jest/globals';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { InsufficientScopeError, InvalidTokenError } from '../errors/bearer-token.errors.js';
import {
  claimAt,
  claimSatisfies,
  compileRequirements,
  rolesOf,
  scopesOf,
  type ClaimExpectation,
  type RouteRequirement,
} from './claim-checks.js';

function thrownBy(check: () => void): unknown {
  try {
    check();
  } catch (error) {
    return error;
  }
  throw new Error('expected the check to throw');
}

describe('scopesOf', () => {
  it.each<[string, AccessTokenClaims, string[]]>([
    ['a space-separated scope string', { scope: 'openid todo:read todo:write' }, ['openid', 'todo:read', 'todo:write']],
    ['an scp array', { scp: ['todo:read', 'todo:write'] }, ['todo:read', 'todo:write']],
    ['an scp string', { scp: 'todo:read todo:write' }, ['todo:read', 'todo:write']],
    [
      'scope and scp together',
      { scope: 'openid todo:read', scp: ['todo:write', 'todo:read'] },
      ['openid', 'todo:read', 'todo:write'],
    ],
    ['repeated spaces and edge spaces', { scope: '  todo:read   todo:write ' }, ['todo:read', 'todo:write']],
    ['an empty scope string', { scope: '' }, []],
    ['an scp array of empty strings', { scp: ['', ''] }, []],
    [
      'non-string scp members',
      { scp: ['todo:read', 42, null, { s: 'x' }, ['todo:write'], true] } as unknown as AccessTokenClaims,
      ['todo:read'],
    ],
    ['a numeric scope', { scope: 42 as unknown as string }, []],
    ['a scope array (scope must be a string)', { scope: ['todo:write'] as unknown as string }, []],
    ['an object scp', { scp: { 'todo:read': true } as unknown as string }, []],
    ['no scope claim', { sub: 'alice' }, []],
  ])('reads %s', (_case, claims, expected) => {
    expect([...scopesOf(claims)].sort()).toEqual([...expected].sort());
  });

  it.each([
    ['todo:writer', { scope: 'todo:writer' }],
    ['todo', { scope: 'todo' }],
    ['todo:write in a longer value', { scope: 'xtodo:write todo:write:all' }],
    ['a different case', { scope: 'TODO:WRITE' }],
    ['todo:writer in scp', { scp: ['todo:writer'] }],
  ])('never matches todo:write against %s', (_case, claims) => {
    expect(scopesOf(claims).has('todo:write')).toBe(false);
  });
});

describe('claimAt', () => {
  it('returns a nested value by dotted path', () => {
    expect(claimAt({ realm_access: { roles: ['admin'] } }, 'realm_access.roles')).toEqual(['admin']);
  });

  it('prefers a claim whose exact name holds the dot', () => {
    expect(claimAt({ 'realm_access.roles': 'exact', realm_access: { roles: 'nested' } }, 'realm_access.roles')).toBe(
      'exact',
    );
  });

  it.each([
    ['a missing top-level claim', { sub: 'alice' }, 'roles'],
    ['a missing nested key', { realm_access: {} }, 'realm_access.roles'],
    ['a path through a string', { realm_access: 'admin' }, 'realm_access.roles'],
    ['a path through null', { realm_access: null }, 'realm_access.roles'],
    ['an inherited property', { realm_access: {} }, 'realm_access.toString'],
  ])('returns undefined for %s', (_case, claims, path) => {
    expect(claimAt(claims, path)).toBeUndefined();
  });
});

describe('rolesOf', () => {
  it('returns the strings of an array claim', () => {
    expect(rolesOf({ roles: ['admin', 'user'] }, 'roles')).toEqual(['admin', 'user']);
  });

  it('returns a single string as one role', () => {
    expect(rolesOf({ roles: 'admin' }, 'roles')).toEqual(['admin']);
  });

  it('drops non-string members', () => {
    expect(rolesOf({ roles: ['admin', 1, null, { role: 'x' }] }, 'roles')).toEqual(['admin']);
  });

  it('follows a dotted path such as realm_access.roles', () => {
    expect(rolesOf({ realm_access: { roles: ['support'] } }, 'realm_access.roles')).toEqual(['support']);
  });

  it('prefers a claim whose exact name holds the dot', () => {
    const claims = { 'realm_access.roles': ['exact'], realm_access: { roles: ['nested'] } };
    expect(rolesOf(claims, 'realm_access.roles')).toEqual(['exact']);
  });

  it.each([
    ['no claim', { sub: 'alice' }],
    ['a number', { roles: 7 }],
    ['an object', { roles: { admin: true } }],
    ['null', { roles: null }],
  ])('returns no role for %s', (_case, claims) => {
    expect(rolesOf(claims, 'roles')).toEqual([]);
  });

  it('does not split a space-separated role string', () => {
    expect(rolesOf({ roles: 'admin user' }, 'roles')).toEqual(['admin user']);
  });
});

describe('claimSatisfies', () => {
  it.each<[string, AccessTokenClaims, string, string | number | boolean, boolean]>([
    ['a string equal to the expectation', { tenant: 'acme' }, 'tenant', 'acme', true],
    ['a string differing from the expectation', { tenant: 'acme-corp' }, 'tenant', 'acme', false],
    ['a number equal to the expectation', { level: 3 }, 'level', 3, true],
    ['a numeric string against a number', { level: '3' }, 'level', 3, false],
    ['a boolean equal to the expectation', { email_verified: true }, 'email_verified', true, true],
    ['a truthy string against true', { email_verified: 'true' }, 'email_verified', true, false],
    ['an array containing the expectation', { groups: ['a', 'b'] }, 'groups', 'b', true],
    ['an array not containing the expectation', { groups: ['a', 'bb'] }, 'groups', 'b', false],
    ['a missing claim', { sub: 'alice' }, 'tenant', 'acme', false],
    ['a nested claim by dotted path', { org: { id: 'acme' } }, 'org.id', 'acme', true],
  ])('answers for %s', (_case, claims, name, expected, answer) => {
    expect(claimSatisfies(claims, name, expected)).toBe(answer);
  });

  it('passes the claim value and all claims to a predicate', () => {
    const claims = { sub: 'alice', level: 3 };
    const predicate = jest.fn((value: unknown, _claims: AccessTokenClaims) => value === 3);
    expect(claimSatisfies(claims, 'level', predicate)).toBe(true);
    expect(predicate).toHaveBeenCalledWith(3, claims);
  });

  it('answers false when the predicate returns false', () => {
    expect(claimSatisfies({ level: 1 }, 'level', (value) => value === 3)).toBe(false);
  });

  it.each([
    ['1', 1],
    ['a non-empty string', 'yes'],
    ['an object', {}],
  ])('answers false when the predicate returns the truthy %s instead of true', (_case, result) => {
    const predicate = (() => result) as unknown as (value: unknown) => boolean;
    expect(claimSatisfies({ level: 3 }, 'level', predicate)).toBe(false);
  });
});

describe('compileRequirements', () => {
  const scope = (...scopes: string[]): RouteRequirement => ({ kind: 'scope', scopes });
  const role = (...roles: string[]): RouteRequirement => ({ kind: 'role', roles });
  const audience = (...audiences: string[]): RouteRequirement => ({ kind: 'audience', audiences });
  const claim = (name: string, expected: ClaimExpectation): RouteRequirement => ({
    kind: 'claim',
    name,
    expected,
  });

  it('accepts any token when there are no requirements', () => {
    expect(() => compileRequirements([], 'roles')({})).not.toThrow();
  });

  describe('audience', () => {
    const check = compileRequirements([audience('todo-api', 'todo-admin')], 'roles');

    it.each([
      ['a string aud', { aud: 'todo-admin' }],
      ['an array aud holding one', { aud: ['other', 'todo-api'] }],
    ])('accepts %s', (_case, claims) => {
      expect(() => check(claims)).not.toThrow();
    });

    it.each([
      ['another audience', { aud: 'help-api' }],
      ['no aud', { sub: 'alice' }],
      ['an empty array', { aud: [] }],
      ['a prefix of an accepted audience', { aud: 'todo' }],
    ])('throws invalid_token (401) for %s', (_case, claims) => {
      const error = thrownBy(() => check(claims));
      expect(error).toBeInstanceOf(InvalidTokenError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_token', reason: 'audience_mismatch' });
    });

    it('requires every audience requirement to hold', () => {
      const both = compileRequirements([audience('a'), audience('b')], 'roles');
      expect(() => both({ aud: ['a', 'b'] })).not.toThrow();
      expect(thrownBy(() => both({ aud: 'a' }))).toBeInstanceOf(InvalidTokenError);
    });
  });

  describe('scope', () => {
    it('accepts a token holding every needed scope', () => {
      const check = compileRequirements([scope('todo:read'), scope('todo:write')], 'roles');
      expect(() => check({ scope: 'todo:write openid', scp: ['todo:read'] })).not.toThrow();
    });

    it.each([
      ['none of them', { scope: 'openid' }],
      ['only one of them', { scope: 'todo:read' }],
      ['a longer scope', { scope: 'todo:read todo:writer' }],
      ['no scope claim', {}],
    ])('throws insufficient_scope (403) listing every needed scope for %s', (_case, claims) => {
      const check = compileRequirements([scope('todo:read'), scope('todo:write', 'todo:read')], 'roles');
      const error = thrownBy(() => check(claims));
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({
        status: 403,
        code: 'insufficient_scope',
        reason: 'scope_missing',
        scope: 'todo:read todo:write',
      });
    });
  });

  describe('role', () => {
    it.each([
      ['the first role', ['admin']],
      ['the second role', ['support']],
      ['both', ['support', 'admin']],
    ])('accepts a token holding %s of one requirement', (_case, roles) => {
      expect(() => compileRequirements([role('admin', 'support')], 'roles')({ roles })).not.toThrow();
    });

    it('reads a single string role', () => {
      expect(() => compileRequirements([role('admin')], 'roles')({ roles: 'admin' })).not.toThrow();
    });

    it('reads roles at the configured claim path', () => {
      const check = compileRequirements([role('admin')], 'realm_access.roles');
      expect(() => check({ realm_access: { roles: ['admin'] } })).not.toThrow();
      expect(thrownBy(() => check({ roles: ['admin'] }))).toBeInstanceOf(InsufficientScopeError);
    });

    it('requires every role requirement to hold', () => {
      const check = compileRequirements([role('admin', 'support'), role('auditor')], 'roles');
      expect(() => check({ roles: ['support', 'auditor'] })).not.toThrow();
      const error = thrownBy(() => check({ roles: ['admin'] }));
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({ status: 403, reason: 'role_missing', description: 'requires the role auditor' });
    });

    it.each([
      ['no role claim', {}],
      ['another role', { roles: ['user'] }],
      ['a role containing the needed one', { roles: ['administrator', 'admin:read'] }],
      ['a role string containing the needed one', { roles: 'admin support' }],
    ])('throws insufficient_scope with a description for %s', (_case, claims) => {
      const error = thrownBy(() => compileRequirements([role('admin', 'support')], 'roles')(claims));
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({
        status: 403,
        code: 'insufficient_scope',
        reason: 'role_missing',
        description: 'requires the role admin or support',
        scope: undefined,
      });
    });
  });

  describe('claim', () => {
    it('accepts a token satisfying every claim requirement', () => {
      const check = compileRequirements([claim('tenant', 'acme'), claim('level', (v) => v === 3)], 'roles');
      expect(() => check({ tenant: 'acme', level: 3 })).not.toThrow();
    });

    it.each([
      ['a different value', { tenant: 'globex', level: 3 }],
      ['a failing predicate', { tenant: 'acme', level: 2 }],
      ['a missing claim', { level: 3 }],
    ])('throws insufficient_scope naming the claim for %s', (_case, claims) => {
      const check = compileRequirements([claim('tenant', 'acme'), claim('level', (v) => v === 3)], 'roles');
      const error = thrownBy(() => check(claims));
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({
        status: 403,
        code: 'insufficient_scope',
        reason: 'claim_missing',
        scope: undefined,
      });
      expect((error as InsufficientScopeError).description).toMatch(/^claim (tenant|level) /);
    });
  });

  describe('order', () => {
    const check = compileRequirements(
      [claim('tenant', 'acme'), role('admin'), scope('todo:write'), audience('todo-api')],
      'roles',
    );

    it('reports the audience before the scope', () => {
      expect(thrownBy(() => check({ aud: 'help-api', scope: 'openid' }))).toBeInstanceOf(InvalidTokenError);
    });

    it('reports the scope before the role', () => {
      expect(thrownBy(() => check({ aud: 'todo-api', scope: 'openid' }))).toMatchObject({ reason: 'scope_missing' });
    });

    it('reports the role before the claim', () => {
      expect(thrownBy(() => check({ aud: 'todo-api', scope: 'todo:write', roles: [] }))).toMatchObject({
        reason: 'role_missing',
      });
    });

    it('reports the claim when everything else holds', () => {
      expect(thrownBy(() => check({ aud: 'todo-api', scope: 'todo:write', roles: ['admin'] }))).toMatchObject({
        reason: 'claim_missing',
      });
    });

    it('accepts a token satisfying all four', () => {
      expect(() => check({ aud: 'todo-api', scope: 'todo:write', roles: ['admin'], tenant: 'acme' })).not.toThrow();
    });
  });
});
