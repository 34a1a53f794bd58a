import { describe, expect, it } from '@jest/globals';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { checkCertificateBinding } from './certificate-binding.js';

const THUMBPRINT = 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2';

describe('checkCertificateBinding', () => {
  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['a token without cnf', {}, undefined],
    ['a token without cnf, with a certificate', {}, THUMBPRINT],
    ['a token with another confirmation method (cnf.jkt)', { cnf: { jkt: 'abc' } }, undefined],
    ['a bound token with its certificate', { cnf: { 'x5t#S256': THUMBPRINT } }, THUMBPRINT],
  ])('accepts %s', (_case, claims, clientCertificateThumbprint) => {
    expect(() => checkCertificateBinding(claims, { clientCertificateThumbprint })).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    ['a bound token without a certificate', { cnf: { 'x5t#S256': THUMBPRINT } }, undefined],
    ['a bound token with another certificate', { cnf: { 'x5t#S256': THUMBPRINT } }, 'other'],
    ['a thumbprint that is not a string', { cnf: { 'x5t#S256': 42 } }, THUMBPRINT],
  ])('refuses %s as token_bound', (_case, claims, clientCertificateThumbprint) => {
    let thrown: unknown;
    try {
      checkCertificateBinding(claims, { clientCertificateThumbprint });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTokenError);
    expect(thrown).toMatchObject({ status: 401, code: 'invalid_token', reason: 'token_bound' });
  });
});
