import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { signJws } from '../testing/sign-jws.js';
import { isCanonical, isJwsCompact, parseJoseHeader, type JoseHeaderPolicy } from './jose-header.validator.js';

const policy: JoseHeaderPolicy = {
  algorithms: ['RS256', 'ES256', 'HS256'],
  hmacConfigured: true,
  requireAccessTokenType: false,
};

const PAYLOAD = { sub: 'alice' };
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A compact JWS with the given header and a placeholder signature: only the header is under test. */
const token = (header: unknown) => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(PAYLOAD))}.c2lnbmF0dXJl`;
/** A compact JWS whose header segment is exactly `segment`. */
const withHeaderSegment = (segment: string) => `${segment}.${b64url(JSON.stringify(PAYLOAD))}.c2lnbmF0dXJl`;

function rejection(jws: string, withPolicy: JoseHeaderPolicy = policy): InvalidTokenError {
  let caught: unknown;
  try {
    parseJoseHeader(jws, withPolicy);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  const error = caught as InvalidTokenError;
  expect(error.status).toBe(401);
  expect(error.code).toBe('invalid_token');
  return error;
}

describe('isJwsCompact', () => {
  it.each([
    ['three base64url segments', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'],
    ['segments using - and _', 'a-b_c.d-e_f.g-h_i'],
    ['one-character segments', 'a.b.c'],
  ])('answers true for %s', (_case, value) => {
    expect(isJwsCompact(value)).toBe(true);
  });

  it.each([
    ['an opaque token', 'opaque-token-value'],
    ['two segments', 'aaa.bbb'],
    ['an empty signature', 'aaa.bbb.'],
    ['an empty header', '.bbb.ccc'],
    ['an empty payload', 'aaa..ccc'],
    ['four segments', 'aaa.bbb.ccc.ddd'],
    ['five segments (JWE)', 'aaa.bbb.ccc.ddd.eee'],
    ['padding', 'aaa=.bbb.ccc'],
    ['base64 + and /', 'aa+a.bb/b.ccc'],
    ['a space', 'aaa.bbb.c cc'],
    ['an empty string', ''],
    ['only dots', '..'],
  ])('answers false for %s', (_case, value) => {
    expect(isJwsCompact(value)).toBe(false);
  });

  it('answers true for a token signed by signJws', () => {
    const key = createSecretKey(Buffer.from('a-test-secret-of-sufficient-length'));
    expect(isJwsCompact(signJws({ alg: 'HS256' }, PAYLOAD, key))).toBe(true);
  });
});

describe('parseJoseHeader', () => {
  it('returns the decoded header of an acceptable token', () => {
    const header = { alg: 'RS256', kid: 'key-1', typ: 'at+jwt', x: 1 };
    expect(parseJoseHeader(token(header), policy)).toEqual(header);
  });

  it('accepts a token built by signJws', () => {
    const key = createSecretKey(Buffer.from('a-test-secret-of-sufficient-length'));
    expect(parseJoseHeader(signJws({ alg: 'HS256', kid: 'k' }, PAYLOAD, key), policy)).toMatchObject({ alg: 'HS256' });
  });

  describe('shape', () => {
    it.each([
      ['an opaque token', 'opaque-token'],
      ['two segments', `${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{}')}`],
      ['four segments', `${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{}')}.c2ln.c2ln`],
      ['an empty header', `.${b64url('{}')}.c2ln`],
      ['an empty payload', `${b64url('{"alg":"RS256","kid":"k"}')}..c2ln`],
      ['a signature outside base64url', `${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{}')}.c2ln+/=`],
    ])('rejects %s as malformed', (_case, value) => {
      expect(rejection(value).reason).toBe('token_malformed');
    });

    it('rejects an empty signature under an accepted alg as unsigned', () => {
      expect(rejection(`${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{}')}.`).reason).toBe('token_malformed');
    });

    it.each([
      ['not JSON', withHeaderSegment(b64url('not json'))],
      ['truncated JSON', withHeaderSegment(b64url('{"alg":"RS256"'))],
      ['base64url of bytes that are not UTF-8', withHeaderSegment('____')],
    ])('rejects a header that is %s', (_case, value) => {
      expect(rejection(value).reason).toBe('token_malformed');
    });

    it('rejects a payload that is not UTF-8', () => {
      const value = `${b64url('{"alg":"RS256","kid":"k"}')}.${Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url')}.c2ln`;
      const error = rejection(value);
      expect(error.reason).toBe('token_malformed');
      expect(error.description).toBe('token payload is not UTF-8');
    });

    it('accepts non-ASCII UTF-8 in the header', () => {
      expect(parseJoseHeader(token({ alg: 'RS256', kid: 'clé-🔑' }), policy).kid).toBe('clé-🔑');
    });

    it.each([
      ['a one-character header', withHeaderSegment('e')],
      [
        'pad bits set in the last header character',
        withHeaderSegment(b64url('{"alg":"RS256","kid":"k"}').slice(0, -1) + 'R'),
      ],
      ['pad bits set in the last signature character', `${b64url('{"alg":"RS256","kid":"k"}')}.${b64url('{}')}.c2lnbh`],
      ['pad bits set in the last payload character', `${b64url('{"alg":"RS256","kid":"k"}')}.e31.c2ln`],
    ])('rejects %s as not canonical base64url (RFC 4648 §3.5)', (_case, value) => {
      expect(rejection(value).reason).toBe('token_malformed');
    });

    it.each<[string, unknown]>([
      ['a JSON array', [{ alg: 'RS256', kid: 'k' }]],
      ['JSON null', null],
      ['a JSON string', 'RS256'],
      ['a JSON number', 256],
    ])('rejects a header that is %s', (_case, header) => {
      expect(rejection(token(header)).reason).toBe('token_malformed');
    });
  });

  describe('alg', () => {
    it.each(['none', 'None', 'NONE', 'nOnE'])('rejects alg %s', (alg) => {
      expect(rejection(token({ alg, kid: 'k' })).reason).toBe('algorithm_not_allowed');
    });

    it('rejects alg none even with no kid and HMAC configured', () => {
      expect(rejection(token({ alg: 'none' })).reason).toBe('algorithm_not_allowed');
    });

    it.each(['none', 'None', 'NONE'])('rejects an unsigned alg %s token for its algorithm', (alg) => {
      const unsigned = signJws({ alg, typ: 'JWT' }, PAYLOAD);
      expect(unsigned.endsWith('.')).toBe(true);
      expect(rejection(unsigned).reason).toBe('algorithm_not_allowed');
    });

    it('rejects alg none even when the list wrongly holds it', () => {
      const lenient = { ...policy, algorithms: [...policy.algorithms, 'none'] };
      expect(rejection(signJws({ alg: 'none', kid: 'k' }, PAYLOAD), lenient).reason).toBe('token_malformed');
    });

    it.each(['PS256', 'RS512', 'HS512', 'rs256', 'RS256 ', 'EdDSA', ''])('rejects alg %j outside the list', (alg) => {
      expect(rejection(token({ alg, kid: 'k' })).reason).toBe('algorithm_not_allowed');
    });

    it.each<[string, unknown]>([
      ['missing', undefined],
      ['null', null],
      ['a number', 256],
      ['an array', ['RS256']],
      ['an object', { name: 'RS256' }],
    ])('rejects alg that is %s', (_case, alg) => {
      expect(rejection(token({ alg, kid: 'k' })).reason).toBe('algorithm_not_allowed');
    });

    it.each(['RS256', 'ES256', 'HS256'])('accepts alg %s from the list', (alg) => {
      expect(parseJoseHeader(token({ alg, kid: 'k' }), policy).alg).toBe(alg);
    });
  });

  describe('crit', () => {
    it.each<[string, unknown]>([
      ['an unknown parameter', ['exp']],
      ['b64', ['b64']],
      ['an empty list', []],
      ['null', null],
      ['a string', 'exp'],
      ['false', false],
    ])('rejects crit holding %s', (_case, crit) => {
      expect(rejection(token({ alg: 'RS256', kid: 'k', crit, exp: 1 })).reason).toBe('token_malformed');
    });
  });

  describe('typ', () => {
    it.each(['JWT', 'jwt', 'Jwt', 'at+jwt', 'AT+JWT', 'At+Jwt', 'application/at+jwt', 'Application/AT+JWT'])(
      'accepts typ %s',
      (typ) => {
        expect(parseJoseHeader(token({ alg: 'RS256', kid: 'k', typ }), policy).typ).toBe(typ);
      },
    );

    it('accepts a missing typ', () => {
      expect(() => parseJoseHeader(token({ alg: 'RS256', kid: 'k' }), policy)).not.toThrow();
    });

    it.each(['JOSE', 'JOSE+JSON', 'application/jwt', 'id_token+jwt', 'logout+jwt', 'at+jwt ', 'at jwt', ''])(
      'rejects typ %j',
      (typ) => {
        expect(rejection(token({ alg: 'RS256', kid: 'k', typ })).reason).toBe('token_type_not_accepted');
      },
    );

    it.each<[string, unknown]>([
      ['null', null],
      ['a number', 1],
      ['an array', ['JWT']],
      ['true', true],
    ])('rejects typ that is %s', (_case, typ) => {
      expect(rejection(token({ alg: 'RS256', kid: 'k', typ })).reason).toBe('token_type_not_accepted');
    });

    describe('when an access token type is required', () => {
      const strict = { ...policy, requireAccessTokenType: true };

      it.each(['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt'])('accepts typ %s', (typ) => {
        expect(parseJoseHeader(token({ alg: 'RS256', kid: 'k', typ }), strict).typ).toBe(typ);
      });

      it.each(['JWT', 'jwt', 'JOSE'])('rejects typ %s', (typ) => {
        expect(rejection(token({ alg: 'RS256', kid: 'k', typ }), strict).reason).toBe('token_type_not_accepted');
      });

      it('rejects a missing typ', () => {
        expect(rejection(token({ alg: 'RS256', kid: 'k' }), strict).reason).toBe('token_type_not_accepted');
      });
    });
  });

  describe('kid', () => {
    it('accepts a kid of 1024 characters', () => {
      const kid = 'k'.repeat(1024);
      expect(parseJoseHeader(token({ alg: 'RS256', kid }), policy).kid).toBe(kid);
    });

    it.each<[string, unknown]>([
      ['a number', 1],
      ['null', null],
      ['an array', ['k']],
      ['an object', { id: 'k' }],
      ['empty', ''],
      ['over 1024 characters', 'k'.repeat(1025)],
    ])('rejects a kid that is %s', (_case, kid) => {
      expect(rejection(token({ alg: 'RS256', kid })).reason).toBe('key_unknown');
      expect(rejection(token({ alg: 'HS256', kid })).reason).toBe('key_unknown');
    });

    it('accepts a missing kid on an HS256 token when HMAC is configured', () => {
      expect(parseJoseHeader(token({ alg: 'HS256', typ: 'JWT' }), policy)).toEqual({ alg: 'HS256', typ: 'JWT' });
    });

    it('rejects a missing kid on an HS256 token when HMAC is not configured', () => {
      const noHmac = { ...policy, hmacConfigured: false };
      expect(rejection(token({ alg: 'HS256' }), noHmac).reason).toBe('key_unknown');
    });

    it.each(['RS256', 'ES256'])('rejects a missing kid on an %s token even when HMAC is configured', (alg) => {
      expect(rejection(token({ alg })).reason).toBe('key_unknown');
    });

    it('rejects an HS384 token outside the list before looking at its kid', () => {
      expect(rejection(token({ alg: 'HS384' })).reason).toBe('algorithm_not_allowed');
    });
  });

  describe('keys the token offers', () => {
    it.each(['jku', 'x5u', 'jwk', 'x5c'])('ignores %s and still requires a kid', (parameter) => {
      expect(rejection(token({ alg: 'RS256', [parameter]: 'https://evil.example/keys' })).reason).toBe('key_unknown');
    });
  });
});

describe('isCanonical', () => {
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

  it('answers as decoding and encoding again would, for any base64url string', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...BASE64URL), { maxLength: 40 }), (chars) => {
        const segment = chars.join('');
        const roundTrip = Buffer.from(segment, 'base64url').toString('base64url') === segment;
        expect(isCanonical(segment)).toBe(roundTrip);
      }),
      { seed: 20261123, numRuns: 5_000 },
    );
  });

  it('holds for the encoding of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(isCanonical(Buffer.from(bytes).toString('base64url'))).toBe(true);
      }),
      { seed: 20261123, numRuns: 2_000 },
    );
  });
});
