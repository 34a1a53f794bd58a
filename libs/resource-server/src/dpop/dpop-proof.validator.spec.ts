import { createSecretKey, generateKeyPairSync, hash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DpopProofError } from '../errors/dpop.errors.js';
import { DpopTestKey, signJws, type DpopProofOptions } from '../testing/index.js';
import { DpopProofValidator, MAX_PROOF_LENGTH, type DpopProofPolicy } from './dpop-proof.validator.js';

const NOW = Date.UTC(2026, 0, 1) / 1000;
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const URL = 'http://api.example.com/todos';
const REQUEST = { method: 'GET', url: '/todos?page=2', host: 'api.example.com', accessToken: TOKEN };

const key = DpopTestKey.generate('ES256');
const policy: DpopProofPolicy = {
  algorithms: ['ES256', 'RS256', 'PS256'],
  maxAgeSeconds: 300,
  clockToleranceSeconds: 30,
  clock: () => NOW * 1000,
};
const validator = new DpopProofValidator(policy);
const proof = (options: Partial<DpopProofOptions> = {}, by: DpopTestKey = key) =>
  by.proof({ url: URL, accessToken: TOKEN, iat: NOW, ...options });

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DpopProofError);
    const refused = error as DpopProofError;
    expect([refused.status, refused.code, refused.reason]).toEqual([401, 'invalid_dpop_proof', 'dpop_proof_invalid']);
    return refused.description!;
  }
  throw new Error('the proof was accepted');
}

describe('DpopProofValidator', () => {
  describe('validate', () => {
    it.each(['ES256', 'RS256', 'PS256'] as const)('accepts a well-formed %s proof and names its key', (alg) => {
      const client = DpopTestKey.generate(alg);
      const checked = validator.validate(proof({ jti: 'j-1' }, client), REQUEST);
      expect(checked).toEqual({ jkt: client.jkt, jti: 'j-1', iat: NOW, nonce: undefined });
    });

    it('compares htu without query and fragment, and normalizes case and default port', () => {
      const htu = 'HTTP://API.example.com:80/todos';
      expect(validator.validate(proof({ claims: { htu } }), REQUEST).jkt).toBe(key.jkt);
      expect(validator.validate(proof({ claims: { htu: `${URL}?page=9#x` } }), REQUEST).jkt).toBe(key.jkt);
    });

    it('rebuilds htu from the public URL when one is configured, not the Host header', () => {
      const behindProxy = new DpopProofValidator({ ...policy, publicUrl: 'https://todo.example.com' });
      const request = { ...REQUEST, host: 'internal:3001' };
      expect(behindProxy.validate(proof({ url: 'https://todo.example.com/todos' }), request).jkt).toBe(key.jkt);
      expect(refusal(() => behindProxy.validate(proof({ url: 'http://internal:3001/todos' }), request))).toMatch(/htu/);
    });

    it('keeps a request target that looks protocol-relative on this host', () => {
      const request = { ...REQUEST, url: '//evil.example.com/todos' };
      expect(refusal(() => validator.validate(proof({ url: 'http://evil.example.com/todos' }), request))).toMatch(
        /htu/,
      );
      expect(validator.validate(proof({ url: 'http://api.example.com//evil.example.com/todos' }), request).jkt).toBe(
        key.jkt,
      );
    });

    it('takes the path of an absolute-form request target', () => {
      const request = { ...REQUEST, url: 'http://api.example.com/todos?x=1' };
      expect(validator.validate(proof(), request).jkt).toBe(key.jkt);
    });

    it('returns the nonce the proof carries', () => {
      expect(validator.validate(proof({ nonce: 'n-1' }), REQUEST).nonce).toBe('n-1');
    });

    it.each<[string, () => string | undefined, RegExp]>([
      ['no proof', () => undefined, /missing/],
      ['an empty proof', () => '', /missing/],
      ['a proof over the size limit', () => 'a'.repeat(MAX_PROOF_LENGTH + 1), /too large/],
      ['two segments', () => proof().split('.').slice(0, 2).join('.'), /compact JWS/],
      ['a segment outside base64url', () => proof().replace('.', '.+'), /compact JWS/],
      ['a header that is no JSON', () => `${Buffer.from('{x').toString('base64url')}.e30.c2ln`, /JSON/],
      ['a header that is an array', () => `${Buffer.from('[]').toString('base64url')}.e30.c2ln`, /JSON object/],
      ['typ JWT', () => proof({ header: { typ: 'JWT' } }), /typ/],
      ['no typ', () => proof({ header: { typ: undefined } }), /typ/],
      ['alg ES384 (not configured)', () => DpopTestKey.generate('ES384').proof({ url: URL, iat: NOW }), /alg/],
      ['alg none', () => `${signJws({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk }, { htm: 'GET' })}c2ln`, /alg/],
      ['alg none without a signature', () => signJws({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk }, {}), /JWS/],
      [
        'alg HS256 keyed by the public key',
        () =>
          signJws(
            { typ: 'dpop+jwt', alg: 'HS256', jwk: key.jwk },
            { htm: 'GET', htu: URL, iat: NOW, jti: 'x', ath: hash('sha256', TOKEN, 'base64url') },
            createSecretKey(Buffer.from(JSON.stringify(key.jwk))),
          ),
        /alg/,
      ],
      ['no jwk', () => proof({ header: { jwk: undefined } }), /jwk header missing/],
      ['a jwk that is a string', () => proof({ header: { jwk: 'key' } }), /jwk header missing/],
      [
        'a jwk with the private key (d)',
        () => proof({ header: { jwk: key.privateKey.export({ format: 'jwk' }) } }),
        /private/,
      ],
      ['a jwk with a symmetric k', () => proof({ header: { jwk: { ...key.jwk, k: 'c2VjcmV0' } } }), /private/],
      ['an RSA jwk under ES256', () => proof({ header: { jwk: DpopTestKey.generate('RS256').jwk } }), /fit its alg/],
      ['a P-384 jwk under ES256', () => proof({ header: { jwk: DpopTestKey.generate('ES384').jwk } }), /fit its alg/],
      ['a jwk missing y', () => proof({ header: { jwk: { ...key.jwk, y: undefined } } }), /malformed/],
      ['a jwk off the curve', () => proof({ header: { jwk: { ...key.jwk, x: 'AAAA' } } }), /malformed/],
      ['another key signing', () => proof({ signWith: DpopTestKey.generate().privateKey }), /signature/],
      [
        'a tampered payload',
        () => tamper(proof(), { htm: 'GET', htu: URL, iat: NOW, jti: 'x', ath: 'y' }),
        /signature/,
      ],
      ['htm POST on a GET', () => proof({ method: 'POST' }), /htm/],
      ['htm in lower case', () => proof({ method: 'get' }), /htm/],
      ['htu of another path', () => proof({ url: 'http://api.example.com/todos/1' }), /htu/],
      ['htu of another host', () => proof({ url: 'http://evil.example.com/todos' }), /htu/],
      ['htu over https for an http request', () => proof({ url: 'https://api.example.com/todos' }), /htu/],
      ['htu that is no URL', () => proof({ claims: { htu: 'todos' } }), /htu/],
      ['no htu', () => proof({ claims: { htu: undefined } }), /htu/],
      ['iat beyond the clock tolerance ahead', () => proof({ iat: NOW + 31 }), /future/],
      ['iat older than max age plus tolerance', () => proof({ iat: NOW - 331 }), /too old/],
      ['iat as a string', () => proof({ claims: { iat: String(NOW) } }), /iat/],
      ['no jti', () => proof({ claims: { jti: undefined } }), /jti/],
      ['an empty jti', () => proof({ jti: '' }), /jti/],
      ['no ath', () => proof({ accessToken: undefined }), /ath/],
      ['ath of another token', () => proof({ accessToken: `${TOKEN}x` }), /ath/],
      ['a nonce that is a number', () => proof({ claims: { nonce: 7 } }), /nonce/],
    ])('refuses %s', (_case, make, description) => {
      expect(refusal(() => validator.validate(make(), REQUEST))).toMatch(description);
    });

    it('accepts iat at the edges of the window', () => {
      expect(validator.validate(proof({ iat: NOW + 30 }), REQUEST).iat).toBe(NOW + 30);
      expect(validator.validate(proof({ iat: NOW - 330 }), REQUEST).iat).toBe(NOW - 330);
    });

    it('refuses an RSA key shorter than 2048 bits', () => {
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const jwk = weak.publicKey.export({ format: 'jwk' });
      const made = proof({ header: { alg: 'RS256', jwk }, signWith: weak.privateKey });
      expect(refusal(() => validator.validate(made, REQUEST))).toMatch(/2048/);
    });

    it('refuses a request without a Host header and no public URL, whatever the htu', () => {
      const request = { ...REQUEST, host: undefined };
      expect(refusal(() => validator.validate(proof(), request))).toMatch(/htu/);
      expect(refusal(() => validator.validate(proof({ claims: { htu: 'todos' } }), request))).toMatch(/htu/);
      expect(refusal(() => validator.validate(proof({ claims: { htu: undefined } }), request))).toMatch(/htu/);
    });

    it('refuses a crit header parameter (RFC 7515 §4.1.11)', () => {
      expect(refusal(() => validator.validate(proof({ header: { crit: ['exp'], exp: 1 } }), REQUEST))).toMatch(
        /critical/,
      );
    });

    it('checks ath as the base64url SHA-256 of the token', () => {
      const ath = hash('sha256', TOKEN, 'base64url');
      expect(validator.validate(proof({ accessToken: undefined, claims: { ath } }), REQUEST).jkt).toBe(key.jkt);
    });
  });
});

/** The proof with another payload and its original signature. */
function tamper(jws: string, payload: object): string {
  const [header, , signature] = jws.split('.');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}
