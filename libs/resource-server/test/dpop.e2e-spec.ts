import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ResourceServerOptions } from 'nest-resource-server';
import { DpopTestKey, type DpopProofOptions } from 'nest-resource-server/testing';
import request from 'supertest';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

const PUBLIC_URL = 'http://api.test';
const ALGS = 'algs="ES256 RS256 PS256"';
const DPOP = `DPoP realm="api", ${ALGS}`;
const CLIENT = { clientId: 'probe-api', clientSecret: 'probe-secret' };

/** DPoP (RFC 9449) and the binding rule, end to end, against the test issuer. */
describe.each(PLATFORMS)('DPoP (%s)', (platform) => {
  const suite = useProbeSuite({ platform, introspectionClient: CLIENT });
  const key = DpopTestKey.generate();

  const start = (options: Partial<ResourceServerOptions> = {}) =>
    suite.start({ dpop: 'allowed', publicUrl: PUBLIC_URL, ...options });

  /** A proof for `GET path` (or `options.method`) with this test's clock. */
  const proof = (token: string, options: Partial<DpopProofOptions> = {}, by = key) =>
    by.proof({
      accessToken: token,
      iat: suite.now / 1000,
      ...options,
      url: `${PUBLIC_URL}${options.url ?? '/claims'}`,
    });

  /** `GET path` with `Authorization: DPoP token` and the given proof (none: `undefined`). */
  function dpopGet(app: INestApplication, token: string, dpopProof: string | undefined, path = '/claims') {
    const call = request(app.getHttpServer()).get(path).set('authorization', `DPoP ${token}`);
    return dpopProof === undefined ? call : call.set('DPoP', dpopProof);
  }

  function expectRefusal(response: request.Response, status: number, reason: string, challenge: string | RegExp) {
    expect([response.status, response.body.reason]).toEqual([status, reason]);
    if (typeof challenge === 'string') expect(response.headers['www-authenticate']).toBe(challenge);
    else expect(response.headers['www-authenticate']).toMatch(challenge);
  }

  describe('allowed', () => {
    it('accepts a cnf.jkt token with a valid proof by that key, and hands the claims on', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key });
      const response = await dpopGet(app, token, proof(token)).expect(200);
      expect(response.body.claims.cnf).toEqual({ jkt: key.jkt });
      expect(response.headers['dpop-nonce']).toBeUndefined(); // nonces off: no interceptor, no header
    });

    it.each(['ES256', 'RS256', 'PS256'] as const)('accepts a %s proof', async (alg) => {
      const app = await start();
      const client = DpopTestKey.generate(alg);
      const token = suite.issuer.token({ dpop: client });
      await dpopGet(app, token, proof(token, {}, client)).expect(200);
    });

    it('still accepts a bearer token without cnf', async () => {
      const app = await start();
      await suite.get(app, suite.issuer.token()).expect(200);
    });

    it('offers both challenges when no token comes', async () => {
      const app = await start();
      expectRefusal(await suite.get(app), 401, 'token_missing', `Bearer realm="api", ${DPOP}`);
    });

    it('refuses a cnf.jkt token presented as Bearer: token_bound, both challenges', async () => {
      const app = await start();
      const response = await suite.get(app, suite.issuer.token({ dpop: key }));
      expectRefusal(
        response,
        401,
        'token_bound',
        /^Bearer realm="api", error="invalid_token", error_description="[^"]+", DPoP realm="api", algs="ES256 RS256 PS256"$/,
      );
      expect(response.body.error).toBe('invalid_token');
    });

    it('refuses the DPoP scheme without a proof: invalid_dpop_proof', async () => {
      const app = await start();
      const response = await dpopGet(app, suite.issuer.token({ dpop: key }), undefined);
      expectRefusal(
        response,
        401,
        'dpop_proof_invalid',
        `DPoP realm="api", error="invalid_dpop_proof", ${ALGS}, Bearer realm="api"`,
      );
      expect(response.body.error).toBe('invalid_dpop_proof');
    });

    it('refuses a proof used a second time', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key });
      const once = proof(token);
      await dpopGet(app, token, once).expect(200);
      expectRefusal(
        await dpopGet(app, token, once),
        401,
        'dpop_proof_invalid',
        /^DPoP realm="api", error="invalid_dpop_proof"/,
      );
    });

    it('refuses a valid proof by another key than the token’s cnf.jkt as invalid_token, token_bound', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key });
      const thief = DpopTestKey.generate();
      expectRefusal(
        await dpopGet(app, token, proof(token, {}, thief)),
        401,
        'token_bound',
        /^DPoP realm="api", error="invalid_token", error_description="[^"]+", algs="ES256 RS256 PS256", Bearer realm="api"$/,
      );
    });

    it('refuses the DPoP scheme with a token without cnf.jkt (no downgrade)', async () => {
      const app = await start();
      const token = suite.issuer.token();
      expectRefusal(
        await dpopGet(app, token, proof(token)),
        401,
        'token_bound',
        /^DPoP realm="api", error="invalid_token"/,
      );
    });

    it('refuses an expired bound token under the DPoP scheme with the DPoP challenge', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key, expiresInSeconds: -60 });
      expectRefusal(
        await dpopGet(app, token, proof(token)),
        401,
        'token_expired',
        /^DPoP realm="api", error="invalid_token"/,
      );
    });

    it('answers 400 bad_header for two DPoP headers', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key });
      const response = await request(app.getHttpServer())
        .get('/claims')
        .set('authorization', `DPoP ${token}`)
        .set('DPoP', twice(proof(token), proof(token)));
      expectRefusal(response, 400, 'bad_header', `DPoP realm="api", error="invalid_request", ${ALGS}`);
    });

    it('rebuilds htu from the Host header when no public URL is configured, ignoring the query', async () => {
      const app = await start({ publicUrl: undefined });
      const token = suite.issuer.token({ dpop: key });
      const call = (url: string) =>
        request(app.getHttpServer())
          .get('/claims?page=2')
          .set('host', 'todo.local:8080')
          .set('authorization', `DPoP ${token}`)
          .set('DPoP', key.proof({ url, accessToken: token, iat: suite.now / 1000 }));
      await call('http://todo.local:8080/claims').expect(200);
      expect((await call('https://todo.local:8080/claims')).body.reason).toBe('dpop_proof_invalid');
    });

    it('checks htm against the method', async () => {
      const app = await start();
      const token = suite.issuer.token({ dpop: key });
      expectRefusal(
        await dpopGet(app, token, proof(token, { method: 'POST' })),
        401,
        'dpop_proof_invalid',
        /invalid_dpop_proof/,
      );
    });

    it('holds a token from the verified-token cache to its binding on every request', async () => {
      const app = await start({ verifiedTokenCache: { ttlSeconds: 60 } });
      const token = suite.issuer.token({ dpop: key });
      await dpopGet(app, token, proof(token)).expect(200);
      expect((await suite.get(app, token)).body.reason).toBe('token_bound');
      expect((await dpopGet(app, token, proof(token, {}, DpopTestKey.generate()))).body.reason).toBe('token_bound');
      await dpopGet(app, token, proof(token)).expect(200);
    });

    it('holds an introspection response with cnf to its binding, cached or not', async () => {
      const app = await start({ strategy: 'introspection', introspection: { ...CLIENT, cacheTtlSeconds: 60 } });
      const token = suite.issuer.opaqueToken({ dpop: key });
      await dpopGet(app, token, proof(token)).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(1);
      expect((await suite.get(app, token)).body.reason).toBe('token_bound');
      await dpopGet(app, token, proof(token)).expect(200);
      expect((await dpopGet(app, token, proof(token, {}, DpopTestKey.generate()))).body.reason).toBe('token_bound');
      expect(suite.issuer.introspectionCalls).toBe(1);
    });

    it('refuses an introspection response bound to a certificate the connection lacks', async () => {
      const app = await start({ strategy: 'introspection', introspection: CLIENT });
      const token = suite.issuer.opaqueToken({ claims: { cnf: { 'x5t#S256': 'bWFkZS11cA' } } });
      expect((await suite.get(app, token)).body.reason).toBe('token_bound');
    });
  });

  describe('required', () => {
    it('refuses a bearer token with the DPoP challenge alone: dpop_required', async () => {
      const app = await start({ dpop: 'required' });
      const response = await suite.get(app, suite.issuer.token());
      expectRefusal(
        response,
        401,
        'dpop_required',
        /^DPoP realm="api", error="invalid_token", error_description="[^"]+", algs="ES256 RS256 PS256"$/,
      );
    });

    it('offers the DPoP challenge alone when no token comes', async () => {
      const app = await start({ dpop: 'required' });
      expectRefusal(await suite.get(app), 401, 'token_missing', DPOP);
    });

    it('accepts a bound token with its proof', async () => {
      const app = await start({ dpop: 'required' });
      const token = suite.issuer.token({ dpop: key });
      await dpopGet(app, token, proof(token)).expect(200);
    });

    it('answers a missing scope under the DPoP scheme with a DPoP insufficient_scope challenge', async () => {
      const app = await start({ dpop: 'required' });
      const token = suite.issuer.token({ dpop: key });
      const response = await dpopGet(app, token, proof(token, { url: '/two-scopes' }), '/two-scopes');
      expectRefusal(
        response,
        403,
        'scope_missing',
        `DPoP realm="api", error="insufficient_scope", scope="a:read a:write", ${ALGS}`,
      );
    });
  });

  describe('off', () => {
    it('counts the DPoP scheme as no token', async () => {
      const app = await suite.start();
      const token = suite.issuer.token({ dpop: key });
      expectRefusal(await dpopGet(app, token, proof(token)), 401, 'token_missing', 'Bearer realm="api"');
    });

    it('refuses a cnf.jkt token as Bearer: token_bound (never downgraded)', async () => {
      const app = await suite.start();
      const response = await suite.get(app, suite.issuer.token({ dpop: key }));
      expectRefusal(response, 401, 'token_bound', /^Bearer realm="api", error="invalid_token"/);
    });

    it('ignores two DPoP headers with a bearer token', async () => {
      const app = await suite.start();
      await suite.get(app, suite.issuer.token()).set('DPoP', twice('a', 'b')).expect(200);
    });
  });

  describe('nonces', () => {
    it('asks for a nonce with use_dpop_nonce and DPoP-Nonce, then accepts it; 2xx answers carry the next one', async () => {
      const app = await start({ dpopNonce: true });
      const token = suite.issuer.token({ dpop: key });
      const first = await dpopGet(app, token, proof(token));
      expectRefusal(
        first,
        401,
        'dpop_nonce_required',
        /^DPoP realm="api", error="use_dpop_nonce", error_description="[^"]+", algs="ES256 RS256 PS256", Bearer realm="api"$/,
      );
      const nonce = first.headers['dpop-nonce'] as string;
      expect(nonce).toMatch(/^[\x21\x23-\x5B\x5D-\x7E]+$/); // NQCHAR (RFC 9449 §8.1)
      const second = await dpopGet(app, token, proof(token, { nonce })).expect(200);
      expect(second.headers['dpop-nonce']).toBe(nonce);
      expect((await request(app.getHttpServer()).get('/public').expect(200)).headers['dpop-nonce']).toBe(nonce);
    });

    it('accepts the previous nonce after rotation, and refuses a stale one with a fresh nonce', async () => {
      const app = await start({ dpopNonce: true });
      const token = suite.issuer.token({ dpop: key, expiresInSeconds: 3600 });
      const nonce = (await dpopGet(app, token, proof(token))).headers['dpop-nonce'] as string;
      suite.now += 60_000;
      const rotated = await dpopGet(app, token, proof(token, { nonce })).expect(200);
      expect(rotated.headers['dpop-nonce']).not.toBe(nonce);
      suite.now += 60_000;
      const stale = await dpopGet(app, token, proof(token, { nonce }));
      expectRefusal(stale, 401, 'dpop_nonce_required', /error="use_dpop_nonce"/);
      expect(stale.headers['dpop-nonce']).toEqual(expect.any(String));
      expect([nonce, rotated.headers['dpop-nonce']]).not.toContain(stale.headers['dpop-nonce']);
      await dpopGet(app, token, proof(token, { nonce: stale.headers['dpop-nonce'] as string })).expect(200);
    });

    it('refuses a made-up nonce', async () => {
      const app = await start({ dpopNonce: true });
      const token = suite.issuer.token({ dpop: key });
      expect((await dpopGet(app, token, proof(token, { nonce: 'made-up' }))).body.reason).toBe('dpop_nonce_required');
    });
  });
});

/** Two header lines of one name: Node sends an array value as repeated lines (supertest's types say string). */
function twice(first: string, second: string): string {
  return [first, second] as unknown as string;
}
