import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { ResourceServerOptions } from '../src/index.js';
import { TestIssuer, type IntrospectionFault } from '../src/testing/index.js';
import { createProbeApp } from './test-app.js';

const CLIENT = { clientId: 'probe-api', clientSecret: 'probe secret/with:odd+chars' };

/** The introspection and auto strategies against the test issuer's real RFC 7662 endpoint. */
describe('introspection strategy', () => {
  let issuer: TestIssuer;
  let now: number;
  const clock = () => now;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1);
    issuer = await TestIssuer.start({ audience: 'api', clock });
    issuer.addIntrospectionClient(CLIENT.clientId, CLIENT.clientSecret);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer.close();
  });

  async function start(
    introspection: Partial<NonNullable<ResourceServerOptions['introspection']>> = {},
    options: Partial<ResourceServerOptions> = {},
  ): Promise<INestApplication> {
    const app = await createProbeApp({
      issuer: issuer.url,
      audience: 'api',
      strategy: 'introspection',
      introspection: { ...CLIENT, ...introspection },
      clock,
      ...options,
    });
    apps.push(app);
    return app;
  }
  const get = (app: INestApplication, token: string, path = '/claims') =>
    request(app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`);

  describe('validation', () => {
    it('accepts an active token and hands its claims to the decorators', async () => {
      const app = await start();
      const token = issuer.opaqueToken({ claims: { sub: 'alice', scope: 'a:read a:write' } });
      const response = await get(app, token);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub: 'alice', claims: { active: true, aud: 'api' } });
      await get(app, token, '/two-scopes').expect(200);
    });

    it('sends token_type_hint=access_token with client_secret_basic by default', async () => {
      const app = await start();
      await get(app, issuer.opaqueToken()).expect(200);
      expect(issuer.lastIntrospection?.clientAuthMethod).toBe('client_secret_basic');
      expect(issuer.lastIntrospection?.form.get('token_type_hint')).toBe('access_token');
    });

    it('authenticates with client_secret_post when configured', async () => {
      const app = await start({ clientAuthMethod: 'client_secret_post' });
      await get(app, issuer.opaqueToken()).expect(200);
      expect(issuer.lastIntrospection?.clientAuthMethod).toBe('client_secret_post');
    });

    it('uses a given endpoint without discovery', async () => {
      const app = await start({ endpoint: issuer.introspectionEndpoint });
      await get(app, issuer.opaqueToken()).expect(200);
      expect(issuer.hits.get('/.well-known/openid-configuration')).toBeUndefined();
    });

    it.each<[string, () => string, string]>([
      ['an unknown token', () => 'never-issued', 'token is not active'],
      [
        'a revoked token',
        () => {
          const token = issuer.opaqueToken();
          issuer.revoke(token);
          return token;
        },
        'token is not active',
      ],
      [
        'a token for another audience',
        () => issuer.opaqueToken({ claims: { aud: 'other' } }),
        'token audience is not accepted',
      ],
      [
        'a token without aud',
        () => issuer.opaqueToken({ claims: { aud: undefined } }),
        'token audience is not accepted',
      ],
      [
        'a token from another issuer',
        () => issuer.opaqueToken({ claims: { iss: 'https://evil' } }),
        'token issuer is not accepted',
      ],
      [
        'a token not valid yet',
        () => issuer.opaqueToken({ claims: { nbf: now / 1000 + 600 } }),
        'token is not valid yet',
      ],
      [
        'a refresh token',
        () => issuer.opaqueToken({ claims: { token_type: 'refresh_token' } }),
        'token is not an access token',
      ],
    ])('answers 401 invalid_token to %s', async (_name, token, description) => {
      const app = await start();
      const response = await get(app, token());
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer realm="api", error="invalid_token", error_description="${description}"`,
      );
    });

    it('checks exp from the response even when the server calls the token active', async () => {
      const app = await start();
      const token = issuer.opaqueToken({ claims: { exp: now / 1000 - 3600 } });
      // the test issuer would say inactive; make it claim active with the past exp
      issuer.route('/introspect', (_req, res) =>
        issuer.json(res, { active: true, aud: 'api', exp: now / 1000 - 3600 }),
      );
      const response = await get(app, token);
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token expired');
    });
  });

  describe('authorization server failures', () => {
    it.each<IntrospectionFault>(['http500', 'garbage', 'non-object', 'no-active', 'huge', 'credentials'])(
      'answers 503 when introspection fails with %s, and recovers without restart',
      async (fault) => {
        const app = await start();
        const token = issuer.opaqueToken();
        issuer.failIntrospection(fault);
        const response = await get(app, token);
        expect(response.status).toBe(503);
        expect(response.headers['www-authenticate']).toBeUndefined();
        issuer.failIntrospection(undefined);
        await get(app, token).expect(200);
      },
    );

    it('answers 503 within the time limit when introspection hangs', async () => {
      const app = await start({}, { httpTimeoutMs: 300 });
      issuer.failIntrospection('hang');
      const started = performance.now();
      await get(app, issuer.opaqueToken()).expect(503);
      expect(performance.now() - started).toBeLessThan(300 + 700);
    });

    it('answers 503 when the authorization server refuses connections, 401 without a token', async () => {
      const app = await start();
      const token = issuer.opaqueToken();
      await issuer.goDown('refuse');
      await get(app, token).expect(503);
      await request(app.getHttpServer()).get('/claims').expect(401);
      await issuer.comeBack();
      await get(app, token).expect(200);
    });
  });

  describe('single flight and cache', () => {
    it('calls the endpoint on every request when the cache is off (the default)', async () => {
      const app = await start();
      const token = issuer.opaqueToken();
      for (let i = 0; i < 3; i++) await get(app, token).expect(200);
      expect(issuer.introspectionCalls).toBe(3);
    });

    it('shares one call among concurrent requests carrying the same new token', async () => {
      const app = await start();
      issuer.introspectionDelayMs = 200;
      const token = issuer.opaqueToken();
      const responses = await Promise.all(Array.from({ length: 20 }, () => get(app, token)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(issuer.introspectionCalls).toBe(1);
    });

    it('reuses an active result for the TTL, never past exp', async () => {
      const app = await start({ cacheTtlSeconds: 60 });
      const token = issuer.opaqueToken({ expiresInSeconds: 10 });
      await get(app, token).expect(200);
      await get(app, token).expect(200);
      expect(issuer.introspectionCalls).toBe(1);
      now += 11_000; // past exp, well within the 60 s TTL
      const response = await get(app, token);
      expect(response.status).toBe(401);
      expect(issuer.introspectionCalls).toBe(2);
    });

    it('keeps an inactive result only briefly', async () => {
      const app = await start({ cacheTtlSeconds: 60, inactiveCacheTtlSeconds: 5 });
      await get(app, 'unknown-token').expect(401);
      await get(app, 'unknown-token').expect(401);
      expect(issuer.introspectionCalls).toBe(1);
      now += 6_000;
      await get(app, 'unknown-token').expect(401);
      expect(issuer.introspectionCalls).toBe(2);
    });
  });

  describe('auto strategy', () => {
    it('validates JWS-shaped tokens locally and introspects the rest', async () => {
      const app = await start({}, { strategy: 'auto' });
      await get(app, issuer.token()).expect(200);
      expect(issuer.introspectionCalls).toBe(0);
      await get(app, issuer.opaqueToken()).expect(200);
      expect(issuer.introspectionCalls).toBe(1);
    });
  });

  const redisUrl = process.env.REDIS_URL;
  (redisUrl ? describe : describe.skip)('Redis cache shared by replicas (REDIS_URL)', () => {
    it('lets a second instance reuse the first one’s result, keyed by a hash of the token', async () => {
      const prefix = 'nest-resource-server:introspection:';
      const first = await start({ cacheTtlSeconds: 60, redisUrl });
      const second = await start({ cacheTtlSeconds: 60, redisUrl });
      const token = issuer.opaqueToken({ claims: { sub: `shared-${Math.random()}` } });
      await get(first, token).expect(200);
      await get(second, token).expect(200);
      expect(issuer.introspectionCalls).toBe(1);
      const redis = new Redis(redisUrl!);
      try {
        const keys = await redis.keys(`${prefix}*`);
        expect(keys.length).toBeGreaterThan(0);
        expect(keys.some((key) => key.includes(token))).toBe(false);
        const ttl = await redis.pttl(keys[0]!);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      } finally {
        redis.disconnect();
      }
    });

    it('falls back to the endpoint when Redis cannot be reached', async () => {
      const app = await start({ cacheTtlSeconds: 60, redisUrl: 'redis://127.0.0.1:1' });
      await get(app, issuer.opaqueToken()).expect(200);
      expect(issuer.introspectionCalls).toBe(1);
    });
  });
});
