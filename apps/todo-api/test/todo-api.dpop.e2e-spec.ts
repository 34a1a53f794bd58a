import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ResourceServerConfigError } from 'nest-resource-server';
import { DpopTestKey, TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { sampleApiConfigFromEnv } from '../../shared/src/sample-api.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const PLATFORMS = ['express', 'fastify'] as const;
const ALGS = 'algs="ES256 RS256 PS256"';

/** todo-api with OAUTH_DPOP (the operator contract, "DPoP (RFC 9449)"), on both platforms. */
describe.each(PLATFORMS)('todo-api with DPoP (HTTP_PLATFORM=%s)', (platform) => {
  let issuer: TestIssuer;
  const apps: RunningApp[] = [];
  const key = DpopTestKey.generate();

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await issuer.close();
  });

  async function start(env: Record<string, string>): Promise<RunningApp> {
    const app = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      OAUTH_ISSUER: issuer.url,
      HTTP_PLATFORM: platform,
      ...env,
    });
    apps.push(app);
    return app;
  }

  /** A request with `Authorization: DPoP` and a proof for it (method and URL from the request). */
  function dpop(api: RunningApp, method: 'GET' | 'POST', path: string, token: string, nonce?: string, base = api.url) {
    const proof = key.proof({ method, url: `${base}${path}`, accessToken: token, nonce });
    const call = method === 'GET' ? request(api.url).get(path) : request(api.url).post(path);
    return call.set('authorization', `DPoP ${token}`).set('DPoP', proof);
  }

  describe('OAUTH_DPOP=allowed', () => {
    let api: RunningApp;
    beforeAll(async () => {
      api = await start({ OAUTH_DPOP: 'allowed' });
    });

    it('serves GET /me to a DPoP-bound token with its proof', async () => {
      const response = await dpop(api, 'GET', '/me', issuer.token({ dpop: key })).expect(200);
      expect(response.body).toMatchObject({ sub: 'user-1', cnf: { jkt: key.jkt } });
    });

    it('creates a todo with POST /todos under DPoP', async () => {
      const token = issuer.token({ dpop: key, claims: { scope: 'todo:write' } });
      await dpop(api, 'POST', '/todos', token)
        .set('content-type', 'application/json')
        .send({ title: 'bound' })
        .expect(201);
    });

    it('still serves a bearer token without cnf', async () => {
      await request(api.url).get('/me').set('authorization', `Bearer ${issuer.token()}`).expect(200);
    });

    it('refuses a DPoP-bound token sent as Bearer: 401 token_bound with both challenges', async () => {
      const response = await request(api.url)
        .get('/me')
        .set('authorization', `Bearer ${issuer.token({ dpop: key })}`);
      expect([response.status, response.body.reason]).toEqual([401, 'token_bound']);
      expect(response.headers['www-authenticate']).toMatch(
        new RegExp(
          `^Bearer realm="todo-api", error="invalid_token", error_description="[^"]+", DPoP realm="todo-api", ${ALGS}$`,
        ),
      );
    });

    it('answers no token with a Bearer and a DPoP challenge', async () => {
      const response = await request(api.url).get('/me').expect(401);
      expect(response.headers['www-authenticate']).toBe(`Bearer realm="todo-api", DPoP realm="todo-api", ${ALGS}`);
    });

    it('answers a proof for another route with invalid_dpop_proof', async () => {
      const token = issuer.token({ dpop: key });
      const proof = key.proof({ url: `${api.url}/todos`, accessToken: token });
      const response = await request(api.url).get('/me').set('authorization', `DPoP ${token}`).set('DPoP', proof);
      expect([response.status, response.body.reason]).toEqual([401, 'dpop_proof_invalid']);
      expect(response.headers['www-authenticate']).toBe(
        `DPoP realm="todo-api", error="invalid_dpop_proof", ${ALGS}, Bearer realm="todo-api"`,
      );
    });
  });

  describe('OAUTH_DPOP=required', () => {
    it('refuses a bearer token with the DPoP challenge (dpop_required) and serves DPoP', async () => {
      const api = await start({ OAUTH_DPOP: 'required' });
      const response = await request(api.url).get('/me').set('authorization', `Bearer ${issuer.token()}`);
      expect([response.status, response.body.reason]).toEqual([401, 'dpop_required']);
      expect(response.headers['www-authenticate']).toMatch(/^DPoP realm="todo-api", error="invalid_token", /);
      expect(response.headers['www-authenticate']).not.toContain('Bearer');
      await dpop(api, 'GET', '/me', issuer.token({ dpop: key })).expect(200);
    });
  });

  describe('OAUTH_DPOP=off (the default)', () => {
    it('counts the DPoP scheme as no token and refuses a bound token as Bearer', async () => {
      const api = await start({});
      const response = await dpop(api, 'GET', '/me', issuer.token({ dpop: key }));
      expect([response.status, response.body.reason, response.headers['www-authenticate']]).toEqual([
        401,
        'token_missing',
        'Bearer realm="todo-api"',
      ]);
      const bound = await request(api.url)
        .get('/me')
        .set('authorization', `Bearer ${issuer.token({ dpop: key })}`);
      expect([bound.status, bound.body.reason]).toEqual([401, 'token_bound']);
    });
  });

  describe('OAUTH_DPOP_NONCE=true', () => {
    it('asks for the nonce (use_dpop_nonce, DPoP-Nonce), accepts it, and hands the next on every 2xx', async () => {
      const api = await start({ OAUTH_DPOP: 'allowed', OAUTH_DPOP_NONCE: 'true' });
      const token = issuer.token({ dpop: key });
      const asked = await dpop(api, 'GET', '/me', token);
      expect([asked.status, asked.body.reason]).toEqual([401, 'dpop_nonce_required']);
      expect(asked.headers['www-authenticate']).toMatch(/^DPoP realm="todo-api", error="use_dpop_nonce"/);
      const nonce = asked.headers['dpop-nonce'] as string;
      expect(nonce).toBeTruthy();
      const served = await dpop(api, 'GET', '/me', token, nonce).expect(200);
      expect(served.headers['dpop-nonce']).toBe(nonce);
      expect((await request(api.url).get('/health').expect(200)).headers['dpop-nonce']).toBe(nonce);
    });
  });

  describe('OAUTH_PUBLIC_URL', () => {
    it('checks htu against the public URL, not the Host header', async () => {
      const api = await start({ OAUTH_DPOP: 'allowed', OAUTH_PUBLIC_URL: 'https://todo.example.com' });
      const token = issuer.token({ dpop: key });
      await dpop(api, 'GET', '/me', token, undefined, 'https://todo.example.com').expect(200);
      expect((await dpop(api, 'GET', '/me', token)).body.reason).toBe('dpop_proof_invalid');
    });
  });
});

describe('todo-api DPoP configuration', () => {
  it.each([
    ['OAUTH_DPOP', { OAUTH_DPOP: 'sometimes' }],
    ['OAUTH_DPOP_ALGORITHMS', { OAUTH_DPOP: 'allowed', OAUTH_DPOP_ALGORITHMS: 'HS256' }],
    ['OAUTH_DPOP_MAX_AGE', { OAUTH_DPOP: 'allowed', OAUTH_DPOP_MAX_AGE: 'five' }],
    ['OAUTH_DPOP_NONCE', { OAUTH_DPOP: 'allowed', OAUTH_DPOP_NONCE: 'perhaps' }],
    ['OAUTH_PUBLIC_URL', { OAUTH_DPOP: 'allowed', OAUTH_PUBLIC_URL: 'todo.example.com/api' }],
  ])('stops at start-up with one line naming %s', (variable, env) => {
    let problems: readonly string[] = [];
    try {
      sampleApiConfigFromEnv(env, DEFAULTS);
    } catch (error) {
      if (error instanceof ResourceServerConfigError) problems = error.problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });
});
