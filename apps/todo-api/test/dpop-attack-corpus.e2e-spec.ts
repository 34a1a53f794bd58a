import { createSecretKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DpopTestKey, signJws, TestIssuer, type DpopProofOptions } from 'nest-resource-server/testing';
import request from 'supertest';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_129);
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const QUOTED = '"[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*"';
// the challenges a DPoP-allowing todo-api may send on a 401: the DPoP one, then the Bearer one, or the reverse
const CHALLENGE_401 = new RegExp(
  `^(Bearer realm="todo-api"(, error="invalid_token", error_description=${QUOTED})?, DPoP realm="todo-api", algs="ES256 RS256 PS256"` +
    `|DPoP realm="todo-api"(, error="(invalid_token|invalid_dpop_proof)"(, error_description=${QUOTED})?)?, algs="ES256 RS256 PS256", Bearer realm="todo-api")$`,
);

/**
 * The DPoP attack corpus (RFC 9449 §11, RFC 8725): each known way to replay, transplant,
 * downgrade or forge a proof, against the real todo-api with `OAUTH_DPOP=allowed`, then a
 * fast-check fuzz of mutated proofs. None may open the API.
 */
describe('todo-api with DPoP under the attack corpus', () => {
  const now = Math.floor(Date.UTC(2026, 0, 1) / 1000);
  const clock = () => now * 1000;
  let issuer: TestIssuer;
  let api: RunningApp;
  const key = DpopTestKey.generate();
  const thief = DpopTestKey.generate();

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api', clock });
    const env = { OAUTH_ISSUER: issuer.url, OAUTH_DPOP: 'allowed' };
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, env, { clock });
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
  });

  const bound = () => issuer.token({ dpop: key });
  const proof = (token: string, options: Partial<DpopProofOptions> = {}, by = key) =>
    by.proof({ url: `${api.url}/me`, accessToken: token, iat: now, ...options });
  const get = (authorization: string, dpop?: string | string[]) => {
    const call = request(api.url).get('/me').set('authorization', authorization);
    return dpop === undefined ? call : call.set('DPoP', dpop as string);
  };

  type Case = [string, () => { authorization: string; dpop?: string | string[] }, number, string];
  const dpopWith = (token: string, dpop: string | string[]) => ({ authorization: `DPoP ${token}`, dpop });
  const cases: Case[] = [
    ['no proof at all', () => ({ authorization: `DPoP ${bound()}` }), 401, 'dpop_proof_invalid'],
    ['an empty proof', () => dpopWith(bound(), ''), 401, 'dpop_proof_invalid'],
    [
      'a proof for another path (htu)',
      () => dpopWith(bound(), proof('', { url: `${api.url}/todos` })),
      401,
      'dpop_proof_invalid',
    ],
    [
      'a proof for another host (htu)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { url: 'http://evil.example/me' }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'a proof for POST on a GET (htm)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { method: 'POST' }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'a stale proof (iat beyond max age and tolerance)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { iat: now - 331 }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'a proof from the future (iat beyond the tolerance)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { iat: now + 31 }));
      },
      401,
      'dpop_proof_invalid',
    ],
    ['a proof made for another token (ath)', () => dpopWith(bound(), proof(bound())), 401, 'dpop_proof_invalid'],
    ['a proof without ath', () => dpopWith(bound(), proof('', { accessToken: undefined })), 401, 'dpop_proof_invalid'],
    [
      'a stolen token with the thief’s own valid proof (key confusion)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, {}, thief));
      },
      401,
      'token_bound',
    ],
    [
      'a proof naming the token’s key in its jwk but signed by the thief',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { signWith: thief.privateKey }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'a token bound to the thief, forged with the thief’s key (no issuer signature)',
      () => {
        const forged = signJws(
          { alg: 'ES256', typ: 'at+jwt', kid: issuer.currentKey.kid },
          { iss: issuer.url, aud: 'todo-api', sub: 'admin', exp: now + 300, cnf: thief.cnf },
          thief.privateKey,
        );
        return dpopWith(forged, proof(forged, {}, thief));
      },
      401,
      'algorithm_not_allowed',
    ],
    [
      'the private key in the jwk header',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { header: { jwk: key.privateKey.export({ format: 'jwk' }) } }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'alg none',
      () => {
        const token = bound();
        const claims = { jti: 'n', htm: 'GET', htu: `${api.url}/me`, iat: now };
        return dpopWith(token, `${signJws({ typ: 'dpop+jwt', alg: 'none', jwk: key.jwk }, claims)}AAAA`);
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'alg HS256 keyed by the public jwk',
      () => {
        const token = bound();
        const claims = { jti: 'h', htm: 'GET', htu: `${api.url}/me`, iat: now };
        const secret = createSecretKey(Buffer.from(JSON.stringify(key.jwk)));
        return dpopWith(token, signJws({ typ: 'dpop+jwt', alg: 'HS256', jwk: key.jwk }, claims, secret));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'typ JWT instead of dpop+jwt',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { header: { typ: 'JWT' } }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'an oversized proof (9 KiB of padding claims)',
      () => {
        const token = bound();
        return dpopWith(token, proof(token, { claims: { pad: 'x'.repeat(9 * 1024) } }));
      },
      401,
      'dpop_proof_invalid',
    ],
    [
      'two DPoP headers',
      () => {
        const token = bound();
        return dpopWith(token, [proof(token), proof(token)]);
      },
      400,
      'bad_header',
    ],
    [
      'a bound token sent as Bearer with a valid proof (downgrade)',
      () => {
        const token = bound();
        return { authorization: `Bearer ${token}`, dpop: proof(token) };
      },
      401,
      'token_bound',
    ],
    [
      'an unbound token under the DPoP scheme with a valid proof',
      () => {
        const token = issuer.token();
        return dpopWith(token, proof(token));
      },
      401,
      'token_bound',
    ],
    [
      'a token bound by an unknown confirmation method',
      () => ({ authorization: `Bearer ${issuer.token({ claims: { cnf: { jwk: key.jwk } } })}` }),
      401,
      'token_bound',
    ],
  ];

  it.each(cases)('refuses %s', async (_case, make, status, reason) => {
    const { authorization, dpop } = make();
    const response = await get(authorization, dpop);
    expect([response.status, response.body.reason]).toEqual([status, reason]);
    if (status === 401) expect(response.headers['www-authenticate']).toMatch(CHALLENGE_401);
  });

  it('accepts the same request with a well-formed proof (the corpus refuses for its flaw alone)', async () => {
    const token = bound();
    await get(`DPoP ${token}`, proof(token)).expect(200);
  });

  it('refuses a replayed proof, and its variants that decode to the same signature', async () => {
    const token = bound();
    const once = proof(token);
    await get(`DPoP ${token}`, once).expect(200);
    expect((await get(`DPoP ${token}`, once)).body.reason).toBe('dpop_proof_invalid');
    const tail = once.at(-1)!;
    const sibling = once.slice(0, -1) + B64URL[B64URL.indexOf(tail) ^ 0x01];
    expect((await get(`DPoP ${token}`, sibling)).status).toBe(401);
  });

  it(
    'never answers 2xx to a mutated proof, and answers every one with a well-formed refusal',
    async () => {
      const token = bound();
      const valid = proof(token);
      await get(`DPoP ${token}`, valid).expect(200);
      const char = fc.constantFrom(...B64URL, '.', '=', '~', '+', '/');
      const flip = fc.tuple(fc.nat(), char).map(([i, c]) => {
        const at = i % valid.length;
        return valid.slice(0, at) + c + valid.slice(at + 1);
      });
      const bit = fc.tuple(fc.nat({ max: 2 }), fc.nat(), fc.nat({ max: 7 })).map(([segment, index, b]) => {
        const parts = valid.split('.');
        const bytes = Buffer.from(parts[segment]!, 'base64url');
        bytes[index % bytes.length] = bytes[index % bytes.length]! ^ (1 << b);
        parts[segment] = bytes.toString('base64url');
        return parts.join('.');
      });
      const cut = fc.nat().map((n) => valid.slice(0, n % valid.length));
      const junk = fc.string({ unit: fc.constantFrom(...B64URL, '.'), maxLength: 600 });
      await fc.assert(
        fc.asyncProperty(fc.oneof(flip, bit, cut, junk), async (mutated) => {
          const response = await get(`DPoP ${token}`, mutated);
          expect([400, 401]).toContain(response.status);
          expect(typeof response.body.reason).toBe('string');
          expect(JSON.stringify(response.body)).not.toContain(token);
          if (response.status === 401) expect(response.headers['www-authenticate']).toMatch(CHALLENGE_401);
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    },
    Math.max(60_000, RUNS * 100),
  );
});
