import { describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ResourceServerOptions } from 'nest-resource-server';
import type { IntrospectionFault } from 'nest-resource-server/testing';
import request from 'supertest';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

const CLIENT = { clientId: 'probe-api', clientSecret: 'probe secret/with:odd+chars' };
/** Redis on loopback (what `.ci/run` starts), unless REDIS_URL names another. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The introspection and auto strategies against the test issuer's real RFC 7662 endpoint. */
describe.each(PLATFORMS)('introspection strategy (%s)', (platform) => {
  const suite = useProbeSuite({ platform, introspectionClient: CLIENT });

  /** A probe app with the introspection strategy (client `CLIENT`) unless `options` say otherwise. */
  function start(
    introspection: Partial<NonNullable<ResourceServerOptions['introspection']>> = {},
    options: Partial<ResourceServerOptions> = {},
  ): Promise<INestApplication> {
    return suite.start({ strategy: 'introspection', introspection: { ...CLIENT, ...introspection }, ...options });
  }
  const get = (app: INestApplication, token: string, path?: string) => suite.get(app, token, path);

  describe('validation', () => {
    it('accepts an active token and hands its claims to the decorators', async () => {
      const app = await start();
      const token = suite.issuer.opaqueToken({ claims: { sub: 'alice', scope: 'a:read a:write' } });
      const response = await get(app, token);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub: 'alice', claims: { active: true, aud: 'api' } });
      await get(app, token, '/two-scopes').expect(200);
    });

    it('sends token_type_hint=access_token with client_secret_basic by default', async () => {
      const app = await start();
      await get(app, suite.issuer.opaqueToken()).expect(200);
      expect(suite.issuer.lastIntrospection?.clientAuthMethod).toBe('client_secret_basic');
      expect(suite.issuer.lastIntrospection?.form.get('token_type_hint')).toBe('access_token');
    });

    it('authenticates with client_secret_post when configured', async () => {
      const app = await start({ clientAuthMethod: 'client_secret_post' });
      await get(app, suite.issuer.opaqueToken()).expect(200);
      expect(suite.issuer.lastIntrospection?.clientAuthMethod).toBe('client_secret_post');
    });

    it('uses a given endpoint without discovery', async () => {
      const app = await start({ endpoint: suite.issuer.introspectionEndpoint });
      await get(app, suite.issuer.opaqueToken()).expect(200);
      expect(suite.issuer.hits.get('/.well-known/openid-configuration')).toBeUndefined();
    });

    it.each<[string, () => string, string]>([
      ['an unknown token', () => 'never-issued', 'token is not active'],
      [
        'a revoked token',
        () => {
          const token = suite.issuer.opaqueToken();
          suite.issuer.revoke(token);
          return token;
        },
        'token is not active',
      ],
      [
        'a token for another audience',
        () => suite.issuer.opaqueToken({ claims: { aud: 'other' } }),
        'token audience is not accepted',
      ],
      [
        'a token without aud',
        () => suite.issuer.opaqueToken({ claims: { aud: undefined } }),
        'token audience is not accepted',
      ],
      [
        'a token from another issuer',
        () => suite.issuer.opaqueToken({ claims: { iss: 'https://evil' } }),
        'token issuer is not accepted',
      ],
      [
        'a token not valid yet',
        () => suite.issuer.opaqueToken({ claims: { nbf: suite.now / 1000 + 600 } }),
        'token is not valid yet',
      ],
      [
        'a refresh token',
        () => suite.issuer.opaqueToken({ claims: { token_type: 'refresh_token' } }),
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
      const token = suite.issuer.opaqueToken({ claims: { exp: suite.now / 1000 - 3600 } });
      // the test issuer would say inactive; make it claim active with the past exp
      suite.issuer.route('/introspect', (_req, res) =>
        suite.issuer.json(res, { active: true, aud: 'api', exp: suite.now / 1000 - 3600 }),
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
        const token = suite.issuer.opaqueToken();
        suite.issuer.failIntrospection(fault);
        const response = await get(app, token);
        expect(response.status).toBe(503);
        expect(response.headers['www-authenticate']).toBeUndefined();
        suite.issuer.failIntrospection(undefined);
        await get(app, token).expect(200);
      },
    );

    it('answers 503 within the time limit when introspection hangs', async () => {
      const app = await start({}, { httpTimeoutMs: 300 });
      suite.issuer.failIntrospection('hang');
      const started = performance.now();
      await get(app, suite.issuer.opaqueToken()).expect(503);
      expect(performance.now() - started).toBeLessThan(300 + 700);
    });

    it('answers 503 when the authorization server refuses connections, 401 without a token', async () => {
      const app = await start();
      const token = suite.issuer.opaqueToken();
      await suite.issuer.goDown('refuse');
      await get(app, token).expect(503);
      await request(app.getHttpServer()).get('/claims').expect(401);
      await suite.issuer.comeBack();
      await get(app, token).expect(200);
    });
  });

  describe('single flight and cache', () => {
    it('calls the endpoint on every request when the cache is off (the default)', async () => {
      const app = await start();
      const token = suite.issuer.opaqueToken();
      for (let i = 0; i < 3; i++) await get(app, token).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(3);
    });

    it('shares one call among concurrent requests carrying the same new token', async () => {
      const app = await start();
      suite.issuer.introspectionDelayMs = 200;
      const token = suite.issuer.opaqueToken();
      const responses = await Promise.all(Array.from({ length: 20 }, () => get(app, token)));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(suite.issuer.introspectionCalls).toBe(1);
    });

    it('reuses an active result for the TTL, never past exp', async () => {
      const app = await start({ cacheTtlSeconds: 60 });
      const token = suite.issuer.opaqueToken({ expiresInSeconds: 10 });
      await get(app, token).expect(200);
      await get(app, token).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(1);
      suite.now += 11_000; // past exp, well within the 60 s TTL
      const response = await get(app, token);
      expect(response.status).toBe(401);
      expect(suite.issuer.introspectionCalls).toBe(2);
    });

    it('keeps an inactive result only briefly', async () => {
      const app = await start({ cacheTtlSeconds: 60, inactiveCacheTtlSeconds: 5 });
      await get(app, 'unknown-token').expect(401);
      await get(app, 'unknown-token').expect(401);
      expect(suite.issuer.introspectionCalls).toBe(1);
      suite.now += 6_000;
      await get(app, 'unknown-token').expect(401);
      expect(suite.issuer.introspectionCalls).toBe(2);
    });
  });

  describe('auto strategy', () => {
    it('validates JWS-shaped tokens locally and introspects the rest', async () => {
      const app = await start({}, { strategy: 'auto' });
      await get(app, suite.issuer.token()).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(0);
      await get(app, suite.issuer.opaqueToken()).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(1);
    });
  });

  describe('Redis cache shared by replicas', () => {
    const redisUrl = REDIS_URL;
    it('lets a second instance reuse the first one’s result, keyed by a hash of the token', async () => {
      const prefix = 'nest-resource-server:introspection:';
      const first = await start({ cacheTtlSeconds: 60, redisUrl });
      const second = await start({ cacheTtlSeconds: 60, redisUrl });
      const token = suite.issuer.opaqueToken({ claims: { sub: `shared-${Math.random()}` } });
      await get(first, token).expect(200);
      await get(second, token).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(1);
      const redis = new Redis(redisUrl);
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
      await get(app, suite.issuer.opaqueToken()).expect(200);
      expect(suite.issuer.introspectionCalls).toBe(1);
    });
  });
});
