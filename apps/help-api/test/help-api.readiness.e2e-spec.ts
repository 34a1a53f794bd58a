import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { eventually, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { HelpApiModule } from '../src/help-api.module.js';

describe.each(['express', 'fastify'])(
  'help-api GET /health/ready on HTTP_PLATFORM=%s with OAUTH_STRATEGY=introspection and a Redis cache',
  (platform) => {
    let issuer: TestIssuer;
    let redis: TestRedis;
    let api: RunningApp;
    const ready = () => request(api.app.getHttpServer()).get('/health/ready');
    const tickets = (token: string) =>
      request(api.app.getHttpServer()).get('/tickets').set('authorization', `Bearer ${token}`);

    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'help-api' });
      issuer.addIntrospectionClient('help-api', 'help-secret');
      redis = await startTestRedis();
      api = await startSampleApp(
        (o) => HelpApiModule.forRoot(o),
        { port: 3002, audience: 'help-api' },
        {
          OAUTH_ISSUER: issuer.url,
          OAUTH_STRATEGY: 'introspection',
          OAUTH_CLIENT_ID: 'help-api',
          OAUTH_CLIENT_SECRET: 'help-secret',
          OAUTH_INTROSPECTION_CACHE_TTL: '30',
          OAUTH_HTTP_TIMEOUT_MS: '1000',
          REDIS_URL: redis.url,
          HTTP_PLATFORM: platform,
        },
      );
    });
    afterAll(async () => {
      await api?.close();
      await redis?.stop();
      await issuer?.close();
    });

    it('answers 200 before any call (nothing failed) and after a successful one, without calling the endpoint itself', async () => {
      const first = await ready();
      expect(first.status).toBe(200);
      expect(first.body.info.oauth).toMatchObject({
        status: 'up',
        introspection: { status: 'up' },
        redis: { status: 'up' },
      });
      expect(first.body.info.oauth.jwt).toBeUndefined(); // no JWKS with introspection alone
      await tickets(issuer.opaqueToken()).expect(200);
      const calls = issuer.introspectionCalls;
      for (let i = 0; i < 10; i++) await ready().expect(200);
      expect(issuer.introspectionCalls).toBe(calls);
    });

    it('answers 503 while the last introspection call failed, rechecks a limited number of times, and 200 once it answers', async () => {
      issuer.failIntrospection('http500');
      await tickets(issuer.opaqueToken()).expect(503);
      const before = issuer.introspectionCalls;
      for (let i = 0; i < 15; i++) {
        const down = await ready();
        expect(down.status).toBe(503);
        expect(down.body.error.oauth.introspection).toMatchObject({ status: 'down', reason: 'introspection_http_500' });
      }
      // at most 6 placeholder rechecks in any 60 s, whatever the probe rate
      expect(issuer.introspectionCalls - before).toBeLessThanOrEqual(6);
      expect(issuer.introspectionCalls - before).toBeGreaterThanOrEqual(1);

      issuer.failIntrospection(undefined);
      await tickets(issuer.opaqueToken()).expect(200);
      await ready().expect(200);
    });

    it('answers 503 while the cache Redis is down (requests still succeed, the endpoint is asked), and 200 once it is back', async () => {
      await redis.stop();
      await eventually(async () => (await ready()).status === 503);
      expect((await ready()).body.error.oauth.redis).toEqual({ status: 'down' });
      await tickets(issuer.opaqueToken()).expect(200);
      await redis.start();
      await eventually(async () => (await ready()).status === 200);
    });
  },
);
