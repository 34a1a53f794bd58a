import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { eventually, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };

describe.each(['express', 'fastify'])('todo-api GET /health/ready on HTTP_PLATFORM=%s (readiness)', (platform) => {
  let issuer: TestIssuer;
  let redis: TestRedis;
  const apps: RunningApp[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const app = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      OAUTH_ISSUER: issuer.url,
      OAUTH_HTTP_TIMEOUT_MS: '1000',
      HTTP_PLATFORM: platform,
      ...env,
    });
    apps.push(app);
    return app;
  };
  const ready = (app: RunningApp) => request(app.app.getHttpServer()).get('/health/ready');
  const isReady = (app: RunningApp) => async () => (await ready(app)).status === 200;
  const isNotReady = (app: RunningApp) => async () => (await ready(app)).status === 503;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer.comeBack();
  });
  afterAll(async () => {
    await redis?.stop();
    await issuer?.close();
  });

  it('answers 200 in terminus shape once a key was fetched, and stays 200 on cached keys during a JWKS outage', async () => {
    const app = await start();
    await eventually(isReady(app));
    const response = await ready(app);
    expect(response.body).toEqual({
      status: 'ok',
      info: { oauth: { status: 'up', jwt: expect.any(Object) } },
      error: {},
      details: { oauth: expect.objectContaining({ status: 'up' }) },
    });
    expect(response.body.info.oauth.jwt.issuers[issuer.url]).toMatchObject({ status: 'up', keys: 1 });

    await issuer.goDown('refuse');
    await request(app.app.getHttpServer()).get('/me').set('authorization', `Bearer ${issuer.token()}`).expect(200);
    const during = await ready(app);
    expect(during.status).toBe(200);
    expect(during.body.status).toBe('ok');
  });

  it('answers 503 while no key was ever fetched (GET /health still 200), and 200 once the issuer is back, with no restart', async () => {
    await issuer.goDown('refuse');
    const app = await start();
    await request(app.app.getHttpServer()).get('/health').expect(200);
    const down = await ready(app);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      info: {},
      error: { oauth: { status: 'down', jwt: { status: 'down' } } },
      details: { oauth: { status: 'down' } },
    });
    expect(down.body.error.oauth.jwt.issuers[issuer.url]).toMatchObject({ status: 'down' });
    expect(down.headers['www-authenticate']).toBeUndefined();

    await issuer.comeBack();
    // a probe while no key is known makes one limited fetch attempt: recovery needs no traffic
    await eventually(isReady(app));
  });

  it('does not fetch the JWKS on each probe once keys are cached', async () => {
    const app = await start();
    await eventually(isReady(app));
    const before = issuer.jwksFetches;
    for (let i = 0; i < 20; i++) await ready(app).expect(200);
    expect(issuer.jwksFetches).toBe(before);
  });

  it('starts with REDIS_URL unreachable, answers /health, and /health/ready 503 until Redis is back', async () => {
    await redis.stop();
    const app = await start({ REDIS_URL: redis.url });
    await request(app.app.getHttpServer()).get('/health').expect(200);
    const down = await ready(app);
    expect(down.status).toBe(503);
    expect(down.body.error.oauth).toMatchObject({ status: 'down', redis: { status: 'down' } });
    expect(JSON.stringify(down.body)).not.toContain(redis.url);

    await redis.start();
    await eventually(isReady(app));
    expect((await ready(app)).body.info.oauth.redis).toEqual({ status: 'up' });

    await redis.stop();
    await eventually(isNotReady(app));
    // tokens are still validated: this app uses Redis for nothing on the JWT path today
    await request(app.app.getHttpServer()).get('/me').set('authorization', `Bearer ${issuer.token()}`).expect(200);
    await redis.start();
    await eventually(isReady(app));
  });
});
