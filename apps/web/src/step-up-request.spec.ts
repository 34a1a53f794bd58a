import { describe, expect, it } from '@jest/globals';
import { stepUpRequest, withStepUp } from './step-up-request.js';

describe('stepUpRequest', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['nothing for a plain login', {}, {}],
    ['acr_values mfa and max_age', { acr_values: 'mfa', max_age: '300' }, { acr_values: 'mfa', max_age: '300' }],
    ['max_age 0 (OIDC Core: a fresh login now)', { max_age: '0' }, { max_age: '0' }],
    ['a repeated mfa once', { acr_values: 'mfa mfa' }, { acr_values: 'mfa' }],
    ['max_age without leading zeros', { max_age: '0300' }, { max_age: '300' }],
    ['nothing from other parameters (no return URL)', { return: 'https://evil.example/', next: '//x' }, {}],
  ])('passes on %s', (_case, query, expected) => {
    expect(stepUpRequest(query)).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown acr value', { acr_values: 'mfa admin' }, 'acr_values: expected mfa'],
    ['an empty acr value', { acr_values: '' }, 'acr_values: expected mfa'],
    ['acr_values twice', { acr_values: ['mfa', 'mfa'] }, 'acr_values: expected one value'],
    ['a non-numeric max_age', { max_age: '300s' }, 'max_age: expected seconds up to 86400'],
    ['a negative max_age', { max_age: '-1' }, 'max_age: expected seconds up to 86400'],
    ['a max_age over a day', { max_age: '86401' }, 'max_age: expected seconds up to 86400'],
    ['max_age twice', { max_age: ['1', '2'] }, 'max_age: expected seconds up to 86400'],
  ])('refuses %s, without echoing it', (_case, query, problem) => {
    expect(stepUpRequest(query)).toEqual({ problem });
  });
});

describe('withStepUp', () => {
  it('adds the parameters to the authorization URL and keeps the others', () => {
    const url = new URL(
      withStepUp('https://auth.example.com/auth?client_id=web&state=s', { acr_values: 'mfa', max_age: '300' }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'web',
      state: 's',
      acr_values: 'mfa',
      max_age: '300',
    });
  });

  it('leaves the URL as it was without a step-up', () => {
    expect(withStepUp('https://auth.example.com/auth?client_id=web', {})).toBe(
      'https://auth.example.com/auth?client_id=web',
    );
  });
});
