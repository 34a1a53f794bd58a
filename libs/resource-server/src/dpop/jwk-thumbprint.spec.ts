import { describe, expect, it } from '@jest/globals';
import { DpopTestKey } from '../testing/index.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

// RFC 7638 §3.1, the worked example
const RFC_7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjh' +
    'Mstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ' +
    'vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

describe('jwkThumbprint', () => {
  it('gives the RFC 7638 §3.1 example its published thumbprint', () => {
    expect(jwkThumbprint(RFC_7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('ignores optional members and their order', () => {
    const { kid: _kid, alg: _alg, ...bare } = RFC_7638_KEY;
    expect(jwkThumbprint({ e: bare.e, n: bare.n, kty: 'RSA', use: 'sig' })).toBe(jwkThumbprint(RFC_7638_KEY));
  });

  it.each(['ES256', 'ES384', 'RS256'] as const)('agrees with the test kit for a %s key', (alg) => {
    const key = DpopTestKey.generate(alg);
    expect(jwkThumbprint(key.jwk)).toBe(key.jkt);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown kty', { kty: 'oct', k: 'c2VjcmV0' }],
    ['no kty', { n: 'x', e: 'AQAB' }],
    ['a required member missing', { kty: 'EC', crv: 'P-256', x: 'x' }],
    ['a required member that is not a string', { kty: 'RSA', n: 1, e: 'AQAB' }],
  ])('answers undefined for %s', (_case, jwk) => {
    expect(jwkThumbprint(jwk)).toBeUndefined();
  });
});
