import { createSecretKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { IssuerSettings, ResourceServerOptions } from 'nest-resource-server';
import { signJws, TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';
import { AUDIENCE, START_MS } from './support/probe-suite.js';

/** Every request an issuer has served, whatever the path. */
const served = (issuer: TestIssuer) => [...issuer.hits.values()].reduce((sum, n) => sum + n, 0);

/** Several issuers (contract, second edition): each token's `iss` picks its issuer's keys. */
describe.each(PLATFORMS)('several issuers (%s)', (platform) => {
  let now = START_MS;
  const clock = () => now;
  let issuers: TestIssuer[] = [];
  const apps: INestApplication[] = [];
  let a: TestIssuer, b: TestIssuer, c: TestIssuer, stranger: TestIssuer;

  beforeEach(async () => {
    now = START_MS;
    issuers = await Promise.all([0, 1, 2, 3].map(() => TestIssuer.start({ audience: AUDIENCE, clock })));
    [a, b, c, stranger] = issuers as [TestIssuer, TestIssuer, TestIssuer, TestIssuer];
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(issuers.map((issuer) => issuer.close()));
  });

  async function start(options: Partial<ResourceServerOptions> = {}): Promise<INestApplication> {
    const app = await createProbeApp(
      { issuer: [a.url, b.url, c.url], audience: AUDIENCE, clock, ...options },
      { platform },
    );
    apps.push(app);
    return app;
  }
  const get = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/claims').set('authorization', `Bearer ${token}`);

  it('accepts a token of each listed issuer, each verified with keys from its own JWKS', async () => {
    const app = await start();
    for (const issuer of [a, b, c]) {
      const response = await get(app, issuer.token()).expect(200);
      expect(response.body.claims.iss).toBe(issuer.url);
      expect(issuer.jwksFetches).toBeGreaterThanOrEqual(1);
      expect(issuer.hits.get('/.well-known/openid-configuration')).toBe(1);
    }
  });

  it('fetches every listed issuer’s keys in the background at start-up', async () => {
    await start();
    // a background fetch: poll for it, with a deadline far above any fetch on loopback
    for (let waited = 0; [a, b, c].some((i) => i.jwksFetches === 0) && waited < 15_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([a, b, c].map((i) => i.jwksFetches)).toEqual([1, 1, 1]);
    expect(served(stranger)).toBe(0);
  });

  it('refuses an unlisted issuer with issuer_mismatch and sends no request to any server', async () => {
    const app = await start();
    for (const issuer of [a, b, c]) await get(app, issuer.token()).expect(200);
    const before = issuers.map(served);
    const forgedIss = a.token({ claims: { iss: 'https://evil.example' } });
    for (const token of [stranger.token(), forgedIss, a.token({ claims: { iss: `${a.url}/` } })]) {
      const response = await get(app, token);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(response.body.reason).toBe('issuer_mismatch');
    }
    expect(issuers.map(served)).toEqual(before);
    expect(served(stranger)).toBe(0);
  });

  it('looks up the key at the issuer the token names, never at another listed one', async () => {
    const app = await start();
    await get(app, b.token()).expect(200);
    const fetchesOfA = a.jwksFetches;
    // signed by a's key but claiming b: b's JWKS does not have the kid
    const response = await get(app, a.token({ claims: { iss: b.url } }));
    expect(response.status).toBe(401);
    expect(response.body.reason).toBe('key_unknown');
    expect(a.jwksFetches).toBe(fetchesOfA);
  });

  it('names the header check first for an unlisted issuer (order of checks)', async () => {
    const app = await start();
    const token = signJws(
      { alg: 'HS256', kid: stranger.currentKey.kid },
      { iss: stranger.url, aud: AUDIENCE, exp: now / 1000 + 60 },
      createSecretKey(Buffer.from('a-secret-nobody-configured-0123456789')),
    );
    const response = await get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.reason).toBe('algorithm_not_allowed');
    expect(served(stranger)).toBe(0);
  });

  it('keeps serving the other issuers while one is down', async () => {
    await b.goDown('refuse');
    const app = await start();
    await get(app, a.token()).expect(200);
    await get(app, b.token()).expect(503);
    await get(app, c.token()).expect(200);
    await b.comeBack();
    await get(app, b.token()).expect(200);
  });

  it('limits JWKS fetches per issuer: a flood of unknown kids at one spends only its budget', async () => {
    const app = await start();
    for (const issuer of [a, b]) await get(app, issuer.token()).expect(200);
    const foreign = TestIssuer.foreignKey();
    for (let i = 0; i < 15; i++) await get(app, a.token({ key: { ...foreign, kid: `flood-${i}` } })).expect(401);
    expect(a.jwksFetches).toBeLessThanOrEqual(10);
    // b's budget is untouched: its rotation is still picked up at once
    const fetchesOfB = b.jwksFetches;
    b.rotateKeys();
    await get(app, b.token()).expect(200);
    expect(b.jwksFetches).toBe(fetchesOfB + 1);
  });

  it('takes per-issuer settings: audience and JWKS URI where they differ', async () => {
    const settings: IssuerSettings[] = [
      { issuer: a.url },
      { issuer: b.url, audience: 'partner-api', jwksUri: b.jwksUri },
    ];
    const app = await start({ issuer: settings });
    await get(app, a.token()).expect(200);
    await get(app, b.token({ claims: { aud: 'partner-api' } })).expect(200);
    const response = await get(app, b.token());
    expect(response.status).toBe(401);
    expect(response.body.reason).toBe('audience_mismatch');
    expect(b.hits.get('/.well-known/openid-configuration')).toBeUndefined();
  });

  it('applies the settings of a single listed issuer too', async () => {
    const app = await start({ issuer: [{ issuer: a.url, audience: 'partner-api' }] });
    await get(app, a.token({ claims: { aud: 'partner-api' } })).expect(200);
    const response = await get(app, a.token());
    expect(response.body.reason).toBe('audience_mismatch');
  });

  describe('a resolver of dynamic tenants', () => {
    it('accepts the issuers it answers for and refuses the others with no request', async () => {
      const asked: string[] = [];
      const app = await start({
        issuer: async (iss) => {
          asked.push(iss);
          return iss === a.url || iss === b.url ? { issuer: iss } : undefined;
        },
      });
      expect(issuers.map(served)).toEqual([0, 0, 0, 0]); // nothing is fetched for a tenant not yet seen
      await get(app, a.token()).expect(200);
      await get(app, a.token()).expect(200);
      await get(app, b.token()).expect(200);
      const response = await get(app, c.token());
      expect(response.status).toBe(401);
      expect(response.body.reason).toBe('issuer_mismatch');
      expect(served(c)).toBe(0);
      expect(asked).toEqual([a.url, b.url, c.url]); // an accepted issuer is resolved once
    });

    it('shares one key store among the tenants it gives the same jwksUri (one JWKS for every tenant)', async () => {
      const tenant = (n: number) => `https://login.example.com/tenant-${n}/v2.0`;
      const app = await start({
        issuer: (iss) =>
          iss.startsWith('https://login.example.com/') ? { issuer: iss, jwksUri: a.jwksUri } : undefined,
      });
      for (let n = 0; n < 5; n++) {
        const response = await get(app, a.token({ claims: { iss: tenant(n) } })).expect(200);
        expect(response.body.claims.iss).toBe(tenant(n));
      }
      expect(a.jwksFetches).toBe(1);
      expect(a.hits.get('/.well-known/openid-configuration') ?? 0).toBe(0);
    });

    it('keeps at most maxResolvedIssuers tenants: the least recently used is resolved again on its next token', async () => {
      const asked: string[] = [];
      const app = await start({
        maxResolvedIssuers: 2,
        issuer: (iss) => {
          asked.push(iss);
          return { issuer: iss, jwksUri: a.jwksUri };
        },
      });
      const tenant = (n: number) => a.token({ claims: { iss: `https://login.example.com/t${n}` } });
      for (const n of [1, 2, 1, 3, 1, 2]) await get(app, tenant(n)).expect(200);
      // t1 stays (used last but one each time), t2 is dropped for t3 and resolved again
      expect(asked).toEqual([1, 2, 3, 2].map((n) => `https://login.example.com/t${n}`));
      expect(a.jwksFetches).toBe(1);
    });

    it('answers 503, not 401, when the resolver fails or answers for another issuer', async () => {
      const app = await start({
        issuer: (iss) => {
          if (iss === a.url) throw new Error('tenant directory unreachable');
          return { issuer: 'https://other.example' };
        },
      });
      await get(app, a.token()).expect(503);
      await get(app, b.token()).expect(503);
      expect(served(a) + served(b)).toBe(0);
    });
  });
});
