import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { eventually, startTestRedis, type TestRedis } from './support/redis-server.js';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

describe.each(['todo-api', 'help-api'])(
  'npm run start:%s with REDIS_URL unreachable (readiness and start-up)',
  (app) => {
    let issuer: TestIssuer;
    let redis: TestRedis;
    let api: SpawnedApp;
    const audience = app;

    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience });
      redis = await startTestRedis();
      await redis.stop(); // the port is the test's, nothing listens on it
      api = await spawnApp(app, { OAUTH_ISSUER: issuer.url, REDIS_URL: redis.url });
    }, 30_000);
    afterAll(async () => {
      await api?.stop();
      await redis?.stop();
      await issuer?.close();
    });

    it('starts, answers GET /health 200 and GET /health/ready 503 until Redis is back, then 200', async () => {
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
      const down = await fetch(`${api.url}/health/ready`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { status: string; error: Record<string, { redis?: unknown }> };
      expect(body.status).toBe('error');
      expect(body.error.oauth?.redis).toEqual({ status: 'down' });
      await redis.start();
      await eventually(async () => (await fetch(`${api.url}/health/ready`)).status === 200);
      expect(api.output()).not.toContain(redis.url);
    });
  },
);
