import { createSecretKey, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { ResourceServerOptions } from '../src/index.js';
import { signJws, TestIssuer } from '../src/testing/index.js';
import { createProbeApp } from './test-app.js';

/** Key discovery, rotation, outages and algorithms, against a real issuer on loopback. */
describe('JWT strategy with a remote JWKS', () => {
  let issuer: TestIssuer;
  let now: number;
  const clock = () => now;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1);
    issuer = await TestIssuer.start({ audience: 'api', clock });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer.close();
  });

  async function start(options: Partial<ResourceServerOptions> = {}): Promise<INestApplication> {
    const app = await createProbeApp({ issuer: issuer.url, audience: 'api', clock, ...options });
    apps.push(app);
    return app;
  }
  const get = (app: INestApplication, token?: string) => {
    const call = request(app.getHttpServer()).get('/claims');
    return token === undefined ? call : call.set('authorization', `Bearer ${token}`);
  };

  it('finds the JWKS by discovery and verifies RS256', async () => {
    const app = await start();
    await get(app, issuer.token()).expect(200);
    expect(issuer.hits.get('/.well-known/openid-configuration')).toBe(1);
  });

  it('uses a given jwksUri without discovery', async () => {
    const app = await start({ jwksUri: issuer.jwksUri });
    await get(app, issuer.token()).expect(200);
    expect(issuer.hits.get('/.well-known/openid-configuration')).toBeUndefined();
  });

  it('verifies ES256 and PS256 keys from the same JWKS', async () => {
    const es = issuer.addKey('ES256');
    const ps = issuer.addKey('PS256');
    const app = await start();
    await get(app, issuer.token({ key: es })).expect(200);
    await get(app, issuer.token({ key: ps })).expect(200);
  });

  it('refuses an algorithm outside the allowlist even with a published key', async () => {
    const es384 = issuer.addKey('ES384');
    const app = await start();
    const response = await get(app, issuer.token({ key: es384 }));
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token algorithm is not accepted');
  });

  it('refuses a token whose alg differs from its key’s published alg', async () => {
    const app = await start({ algorithms: ['RS256', 'PS256'] });
    const key = issuer.currentKey; // published with alg RS256
    const token = signJws(
      { alg: 'PS256', kid: key.kid },
      { iss: issuer.url, aud: 'api', exp: now / 1000 + 60 },
      key.privateKey,
    );
    const response = await get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token algorithm does not match its key');
  });

  describe('key rotation', () => {
    it('refetches the JWKS for a new kid and keeps accepting the old key', async () => {
      const app = await start();
      const old = issuer.token();
      await get(app, old).expect(200);
      const fetches = issuer.jwksFetches;
      issuer.rotateKeys();
      await get(app, issuer.token()).expect(200);
      expect(issuer.jwksFetches).toBe(fetches + 1);
      await get(app, old).expect(200);
    });

    it('stops accepting a dropped key once the cached set is refreshed', async () => {
      const app = await start({ jwksRefreshIntervalSeconds: 600 });
      const oldKey = issuer.currentKey;
      await get(app, issuer.token()).expect(200);
      const newKey = issuer.rotateKeys({ dropOld: true });
      now += 601_000; // the cached set is now stale
      await get(app, issuer.token({ key: oldKey })).expect(200); // served from cache, refresh starts
      await get(app, issuer.token({ key: newKey })).expect(200); // joins the refresh
      const response = await get(app, issuer.token({ key: oldKey }));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token signing key (kid) is unknown');
    });
  });

  describe('unknown kid flood', () => {
    it('makes at most 10 JWKS fetches a minute, whatever the traffic', async () => {
      const app = await start();
      await get(app, issuer.token()).expect(200);
      const foreign = TestIssuer.foreignKey();
      const forged = () => issuer.token({ key: { ...foreign, kid: randomUUID() } });
      const tokens = Array.from({ length: 40 }, forged);
      // half concurrently, half one after another
      const concurrent = await Promise.all(tokens.slice(0, 20).map((t) => get(app, t)));
      const sequential = [];
      for (const t of tokens.slice(20)) sequential.push(await get(app, t));
      for (const response of [...concurrent, ...sequential]) {
        expect(response.status).toBe(401);
        expect(response.body.error_description).toBe('token signing key (kid) is unknown');
      }
      expect(issuer.jwksFetches).toBeLessThanOrEqual(10);
      expect(issuer.jwksFetches).toBeGreaterThanOrEqual(2);
      // the cached keys still work while the budget is spent
      await get(app, issuer.token()).expect(200);
      const spent = issuer.jwksFetches;
      // a rotated key is unknown until the window frees a fetch
      issuer.rotateKeys();
      await get(app, issuer.token()).expect(401);
      expect(issuer.jwksFetches).toBe(spent);
      now += 60_001;
      await get(app, issuer.token()).expect(200);
      expect(issuer.jwksFetches).toBe(spent + 1);
    });
  });

  describe('authorization server down', () => {
    it('starts anyway, answers 503 until keys are fetched, then recovers without restart', async () => {
      await issuer.goDown('refuse');
      const app = await start();
      await get(app).expect(401); // no token: 401 even while down
      const down = await get(app, issuer.token());
      expect(down.status).toBe(503);
      expect(down.headers['www-authenticate']).toBeUndefined();
      expect(down.body).toEqual({
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'authorization server unavailable',
      });
      await issuer.comeBack();
      await get(app, issuer.token()).expect(200);
    });

    it('keeps the cached keys working while the JWKS endpoint is down', async () => {
      const app = await start();
      const token = issuer.token();
      await get(app, token).expect(200);
      await issuer.goDown('http500');
      now += 3600_000; // stale: each request tries a background refresh, which fails
      const fresh = issuer.token();
      await get(app, fresh).expect(200);
      await get(app, fresh).expect(200);
      // an unknown kid while down, with keys cached, is the token's problem
      await get(app, issuer.token({ key: TestIssuer.foreignKey() })).expect(401);
    });

    it.each(['http500', 'garbage', 'refuse'] as const)(
      'answers 503 when the JWKS answers %s and no key was fetched',
      async (mode) => {
        await issuer.goDown(mode);
        const app = await start();
        await get(app, issuer.token()).expect(503);
      },
    );

    it('answers 503 within the time limit when the JWKS hangs', async () => {
      await issuer.goDown('hang');
      const app = await start({ httpTimeoutMs: 300 });
      const started = performance.now();
      await get(app, issuer.token()).expect(503);
      expect(performance.now() - started).toBeLessThan(300 + 700);
    });

    it('answers 503 when discovery names another issuer', async () => {
      issuer.extraMetadata.issuer = 'https://evil.example.com';
      const app = await start();
      await get(app, issuer.token()).expect(503);
      expect(issuer.jwksFetches).toBe(0);
    });
  });

  describe('HS256 with a shared secret (FusionAuth default keys)', () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!';
    const claims = () => ({ iss: issuer.url, aud: 'api', sub: 'u', exp: Math.floor(now / 1000) + 60 });
    const hs256 = (key: string | Buffer, header: Record<string, unknown> = {}) =>
      signJws({ alg: 'HS256', typ: 'JWT', ...header }, claims(), createSecretKey(Buffer.from(key)));

    it('accepts an HS256 token without kid when the secret is configured', async () => {
      const app = await start({ hmacSecret: secret, algorithms: ['RS256', 'HS256'] });
      await get(app, hs256(secret)).expect(200);
      await get(app, issuer.token()).expect(200);
    });

    it('refuses HS256 signed with another secret', async () => {
      const app = await start({ hmacSecret: secret, algorithms: ['HS256'] });
      const response = await get(app, hs256('another-secret-of-at-least-32-bytes!!'));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token signature is invalid');
    });

    it('refuses HS256 when no secret is configured', async () => {
      const app = await start();
      const response = await get(app, hs256(secret));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token algorithm is not accepted');
    });

    it('refuses HS256 signed with the RSA public key (algorithm confusion, CVE-2015-9235)', async () => {
      const pem = issuer.currentKey.publicKey.export({ format: 'pem', type: 'spki' });
      const withoutSecret = await start();
      await get(withoutSecret, hs256(pem, { kid: issuer.currentKey.kid })).expect(401);
      const withSecret = await start({ hmacSecret: secret, algorithms: ['RS256', 'HS256'] });
      await get(withSecret, hs256(pem, { kid: issuer.currentKey.kid })).expect(401);
    });
  });
});
