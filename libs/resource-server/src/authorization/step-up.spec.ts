import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { InsufficientUserAuthenticationError } from '../errors/insufficient-user-authentication.error.js';
import { compileRequirements } from './claim-checks.js';
import { RequireAuthentication } from './decorators/require-authentication.decorator.js';
import { requirementsOf } from './route-requirements.js';
import { compileStepUp } from './step-up.js';

const NOW_S = 1_800_000_000;
const time = { clockToleranceSeconds: 30, clock: () => NOW_S * 1000 };

function thrownBy(check: () => void): unknown {
  try {
    check();
  } catch (error) {
    return error;
  }
  throw new Error('expected the check to throw');
}

describe('compileStepUp', () => {
  const check = compileStepUp([{ acr: ['mfa', 'hwk'], maxAgeSeconds: 300 }], time)!;

  it('asks nothing of a route without requirements', () => {
    expect(compileStepUp([], time)).toBeUndefined();
  });

  it.each<[string, AccessTokenClaims]>([
    ['an acceptable acr and a fresh auth_time', { acr: 'mfa', auth_time: NOW_S - 10 }],
    ['the second acceptable acr', { acr: 'hwk', auth_time: NOW_S }],
    ['an auth_time exactly max_age plus the tolerance old', { acr: 'mfa', auth_time: NOW_S - 330 }],
    ['an auth_time in the future within the tolerance', { acr: 'mfa', auth_time: NOW_S + 30 }],
  ])('accepts %s', (_case, claims) => {
    expect(() => check(claims)).not.toThrow();
  });

  it.each<[string, AccessTokenClaims, string | undefined, number | undefined]>([
    ['a wrong acr', { acr: 'pwd', auth_time: NOW_S }, 'mfa hwk', undefined],
    ['no acr', { auth_time: NOW_S }, 'mfa hwk', undefined],
    ['an acr array', { acr: ['mfa'], auth_time: NOW_S }, 'mfa hwk', undefined],
    ['an acr differing in case', { acr: 'MFA', auth_time: NOW_S }, 'mfa hwk', undefined],
    ['an auth_time one second past max_age plus the tolerance', { acr: 'mfa', auth_time: NOW_S - 331 }, undefined, 300],
    ['no auth_time', { acr: 'mfa' }, undefined, 300],
    ['an auth_time as a string', { acr: 'mfa', auth_time: String(NOW_S) }, undefined, 300],
    ['an auth_time in the future beyond the tolerance', { acr: 'mfa', auth_time: NOW_S + 31 }, undefined, 300],
    ['a wrong acr and an old auth_time', { acr: 'pwd', auth_time: NOW_S - 3600 }, 'mfa hwk', 300],
  ])('refuses %s naming only what is at fault', (_case, claims, acrValues, maxAgeSeconds) => {
    const error = thrownBy(() => check(claims));
    expect(error).toBeInstanceOf(InsufficientUserAuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      code: 'insufficient_user_authentication',
      reason: 'authentication_insufficient',
      acrValues,
      maxAgeSeconds,
    });
  });

  it('keeps the smallest max_age and every acr list of several requirements', () => {
    const both = compileStepUp([{ maxAgeSeconds: 600 }, { acr: ['mfa'], maxAgeSeconds: 60 }], time)!;
    expect(thrownBy(() => both({ acr: 'mfa', auth_time: NOW_S - 100 }))).toMatchObject({ maxAgeSeconds: 60 });
    expect(thrownBy(() => both({ acr: 'pwd', auth_time: NOW_S }))).toMatchObject({ acrValues: 'mfa' });
  });
});

describe('compileRequirements with step-up', () => {
  const check = compileRequirements(
    [
      { kind: 'scope', scopes: ['todo:write'] },
      { kind: 'authentication', acr: ['mfa'], maxAgeSeconds: 300 },
    ],
    'roles',
    time,
  );

  it('reports a missing scope (403) before the authentication (401)', () => {
    expect(thrownBy(() => check({ scope: 'openid' }))).toMatchObject({ status: 403, reason: 'scope_missing' });
  });

  it('reports the authentication once the scope holds', () => {
    expect(thrownBy(() => check({ scope: 'todo:write' }))).toMatchObject({
      status: 401,
      reason: 'authentication_insufficient',
    });
  });

  it('accepts a token with the scope and a recent mfa authentication', () => {
    expect(() => check({ scope: 'todo:write', acr: 'mfa', auth_time: NOW_S - 60 })).not.toThrow();
  });
});

describe('RequireAuthentication', () => {
  it('records one authentication requirement on the method', () => {
    class Probe {
      @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
      handler(): void {}
    }
    expect(requirementsOf(Probe.prototype.handler)).toEqual([
      { kind: 'authentication', acr: ['mfa'], maxAgeSeconds: 300 },
    ]);
  });

  it.each<[string, unknown]>([
    ['no requirement', {}],
    ['null', null],
    ['an empty acr list', { acr: [] }],
    ['an acr with a space', { acr: ['m fa'] }],
    ['an acr string instead of a list', { acr: 'mfa' }],
    ['a negative max age', { maxAgeSeconds: -1 }],
    ['a fractional max age', { maxAgeSeconds: 1.5 }],
    ['a max age as text', { maxAgeSeconds: '300' }],
  ])('throws when applied with %s', (_case, requirement) => {
    expect(() => RequireAuthentication(requirement as never)).toThrow(TypeError);
  });
});
