import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ResourceServerOptions } from 'nest-resource-server';
import { DpopTestKey } from 'nest-resource-server/testing';
import request from 'supertest';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

/** Redis on loopback (what `.ci/run` starts), unless REDIS_URL names another. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PUBLIC_URL = 'http://api.test';
const prefixes: string[] = [];

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** DPoP state shared by replicas through Redis: two apps of one deployment, one Redis prefix. */
describe.each(PLATFORMS)('DPoP with Redis (%s)', (platform) => {
  const suite = useProbeSuite({ platform });
  const key = DpopTestKey.generate();

  /** Two replicas sharing a Redis prefix of this test's own. */
  async function replicas(options: Partial<ResourceServerOptions> = {}): Promise<[INestApplication, INestApplication]> {
    const prefix = `test:dpop:${randomUUID()}:`;
    prefixes.push(prefix);
    const shared = {
      dpop: 'allowed',
      publicUrl: PUBLIC_URL,
      dpopRedisUrl: REDIS_URL,
      dpopRedisKeyPrefix: prefix,
      ...options,
    };
    return [await suite.start(shared as ResourceServerOptions), await suite.start(shared as ResourceServerOptions)];
  }

  const call = (app: INestApplication, token: string, proof: string) =>
    request(app.getHttpServer()).get('/claims').set('authorization', `DPoP ${token}`).set('DPoP', proof);
  const proof = (token: string, nonce?: string) =>
    key.proof({ url: `${PUBLIC_URL}/claims`, accessToken: token, iat: suite.now / 1000, nonce });

  it('refuses on one replica a proof the other has accepted', async () => {
    const [a, b] = await replicas();
    const token = suite.issuer.token({ dpop: key });
    const once = proof(token);
    await call(a, token, once).expect(200);
    const replayed = await call(b, token, once);
    expect([replayed.status, replayed.body.reason]).toEqual([401, 'dpop_proof_invalid']);
    await call(b, token, proof(token)).expect(200);
  });

  it('accepts on one replica the nonce the other handed out', async () => {
    const [a, b] = await replicas({ dpopNonce: true });
    const token = suite.issuer.token({ dpop: key });
    const asked = await call(a, token, proof(token));
    expect([asked.status, asked.body.reason]).toEqual([401, 'dpop_nonce_required']);
    const nonce = asked.headers['dpop-nonce'] as string;
    const accepted = await call(b, token, proof(token, nonce)).expect(200);
    expect(accepted.headers['dpop-nonce']).toBe(nonce);
  });

  it('fails closed with 503 while Redis is unreachable, and bearer tokens without cnf still pass', async () => {
    const app = await suite.start({ dpop: 'allowed', publicUrl: PUBLIC_URL, dpopRedisUrl: 'redis://127.0.0.1:1' });
    const token = suite.issuer.token({ dpop: key });
    const refused = await call(app, token, proof(token));
    expect(refused.status).toBe(503);
    expect(refused.headers['www-authenticate']).toBeUndefined();
    await suite.get(app, suite.issuer.token()).expect(200);
  });

  it('fails closed with 503 for nonces while Redis is unreachable', async () => {
    const app = await suite.start({
      dpop: 'allowed',
      dpopNonce: true,
      publicUrl: PUBLIC_URL,
      dpopRedisUrl: 'redis://127.0.0.1:1',
    });
    const token = suite.issuer.token({ dpop: key });
    expect((await call(app, token, proof(token, 'any'))).status).toBe(503);
  });
});
