import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DpopTestKey } from 'nest-resource-server/testing';
import request from 'supertest';
import { eventually, startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { useProbeSuite } from './support/probe-suite.js';

// What each Redis user of the library does while the Redis it was given is down, on a Redis
// this spec starts on a port of its own, stops mid-load and starts again (README, "Redis
// outages"): the introspection cache falls back to the endpoint, the DPoP replay store fails
// closed, and both recover without a restart.

const CLIENT = { clientId: 'probe-api', clientSecret: 'probe-secret' };
const PUBLIC_URL = 'http://api.test';

describe('Redis outages', () => {
  const suite = useProbeSuite({ platform: 'express', introspectionClient: CLIENT });
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('introspection cache: no request fails while Redis is down, and results are shared again once it is back', async () => {
    const app = await suite.start({
      strategy: 'introspection',
      introspection: { ...CLIENT, cacheTtlSeconds: 60, redisUrl: redis.url },
    });
    const token = suite.issuer.opaqueToken({ expiresInSeconds: 3600 });
    const load = async (rounds: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const answers = await Promise.all([1, 2, 3, 4].map(() => suite.get(app, token)));
        statuses.push(...answers.map((answer) => answer.status));
      }
      return statuses;
    };

    expect(new Set(await load(3))).toEqual(new Set([200]));
    const callsBefore = suite.issuer.introspectionCalls;
    expect(callsBefore).toBe(1); // the rest were cache hits

    // mid-load: Redis goes away while requests are in flight
    const during = load(5);
    await redis.stop();
    expect(new Set(await during)).toEqual(new Set([200]));
    expect(new Set(await load(3))).toEqual(new Set([200]));
    expect(suite.issuer.introspectionCalls).toBeGreaterThan(callsBefore); // asked the endpoint instead

    await redis.start();
    // recovery without a restart: one call fills the (empty) Redis again, then hits
    await eventually(async () => {
      const before = suite.issuer.introspectionCalls;
      await suite.get(app, token).expect(200);
      await suite.get(app, token).expect(200);
      return suite.issuer.introspectionCalls - before <= 1;
    });
    const settled = suite.issuer.introspectionCalls;
    expect(new Set(await load(2))).toEqual(new Set([200]));
    expect(suite.issuer.introspectionCalls).toBe(settled);
  });

  it('DPoP replay store: fails closed (503, never a 2xx) while Redis is down, and accepts proofs again once it is back', async () => {
    const key = DpopTestKey.generate();
    const app: INestApplication = await suite.start({
      dpop: 'allowed',
      publicUrl: PUBLIC_URL,
      dpopRedisUrl: redis.url,
      dpopRedisKeyPrefix: 'outage-test:',
    });
    const token = suite.issuer.token({ dpop: key });
    const call = () =>
      request(app.getHttpServer())
        .get('/claims')
        .set('authorization', `DPoP ${token}`)
        .set('DPoP', key.proof({ url: `${PUBLIC_URL}/claims`, accessToken: token, iat: suite.now / 1000 }));

    await call().expect(200);
    const used = key.proof({ url: `${PUBLIC_URL}/claims`, accessToken: token, iat: suite.now / 1000 });
    await request(app.getHttpServer())
      .get('/claims')
      .set('authorization', `DPoP ${token}`)
      .set('DPoP', used)
      .expect(200);

    await redis.stop();
    const answers = await Promise.all([call(), call(), call()]);
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 503]);
    // the proof already used is not let through either: nothing can say it was not seen
    const replay = await request(app.getHttpServer())
      .get('/claims')
      .set('authorization', `DPoP ${token}`)
      .set('DPoP', used);
    expect(replay.status).toBe(503);
    // bearer tokens without cnf do not need the store
    await suite.get(app, suite.issuer.token()).expect(200);

    await redis.start();
    await eventually(async () => (await call()).status === 200);
    await call().expect(200);
  });
});
