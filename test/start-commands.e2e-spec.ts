import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { TestIssuer } from 'nest-resource-server/testing';
import { runToExit, spawnApp, type SpawnedApp } from './support/spawn-app.js';

const PLATFORMS = ['express', 'fastify'];

// `npm test` builds first; these specs run the build output as an operator would
const built = existsSync('dist/apps/todo-api/src/main.js') && existsSync('dist/apps/help-api/src/main.js');

describe('npm run start:<app> (from the build, configured only by the contract variables)', () => {
  beforeAll(() => {
    if (!built) throw new Error('run `npm run build` first (npm test does)');
  });

  describe.each(PLATFORMS)('HTTP_PLATFORM=%s npm run start:todo-api against a running issuer', (platform) => {
    let issuer: TestIssuer;
    let app: SpawnedApp;
    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'todo-api' });
      // HOST unset, as an operator deploys it: every interface
      app = await spawnApp('todo-api', {
        HTTP_PLATFORM: platform,
        HOST: '',
        OAUTH_ISSUER: issuer.url,
        CORS_ORIGINS: 'http://localhost:3000',
      });
    });
    afterAll(async () => {
      await app?.stop();
      await issuer.close();
    });

    it('answers /health, 401 without a token and 200 with one', async () => {
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      const anonymous = await fetch(`${app.url}/me`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="todo-api"');
      const me = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${issuer.token()}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: 'user-1', aud: 'todo-api' });
      expect(me.headers.get('x-powered-by')).toBeNull();
    });

    it('reads a body only after the token: 401 for a bad body without one, 201 with one', async () => {
      const post = (headers: Record<string, string>, body: string) =>
        fetch(`${app.url}/todos`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      const anonymous = await post({}, '{not json');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="todo-api"');
      const token = issuer.token({ claims: { scope: 'todo:write' } });
      const created = await post({ authorization: `Bearer ${token}` }, '{"title":"from the build"}');
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ title: 'from the build', owner: 'user-1' });
    });

    it('listens on every interface when HOST is unset (127.0.0.2 reaches it)', async () => {
      const { port } = new URL(app.url);
      expect((await fetch(`http://127.0.0.2:${port}/health`)).status).toBe(200);
    });

    it('allows the configured origin with credentials and exposes WWW-Authenticate', async () => {
      const preflight = await fetch(`${app.url}/todos`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      const denied = await fetch(`${app.url}/health`, { headers: { origin: 'http://evil.example' } });
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await fetch(`${app.url}/me`, { headers: { origin: 'http://localhost:3000' } });
      expect(simple.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    });

    it('never logs a token', async () => {
      const token = issuer.token({ claims: { aud: 'help-api' } });
      await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(app.output()).toContain('audience_mismatch');
      expect(app.output()).not.toContain(token.split('.')[1]);
    });
  });

  describe.each(PLATFORMS)('HTTP_PLATFORM=%s npm run start:help-api with the authorization server down', (platform) => {
    it('starts, answers /health, and answers 503 to a token until the issuer is up', async () => {
      const issuer = await TestIssuer.start({ audience: 'help-api' });
      const token = issuer.token();
      await issuer.goDown('refuse');
      const app = await spawnApp('help-api', {
        HTTP_PLATFORM: platform,
        HOST: '127.0.0.1',
        OAUTH_ISSUER: issuer.url,
        OAUTH_HTTP_TIMEOUT_MS: '1000',
      });
      try {
        expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        // HOST set: that interface only
        await expect(fetch(`http://127.0.0.2:${new URL(app.url).port}/health`)).rejects.toThrow();
        expect((await fetch(`${app.url}/health`)).status).toBe(200);
        expect((await fetch(`${app.url}/tickets`)).status).toBe(401);
        const down = await fetch(`${app.url}/tickets`, { headers: { cookie: `app.at=${token}` } });
        expect(down.status).toBe(503);
        await issuer.comeBack();
        const up = await fetch(`${app.url}/tickets`, { headers: { cookie: `app.at=${token}` } });
        expect(up.status).toBe(200);
      } finally {
        await app.stop();
        await issuer.close();
      }
    });
  });

  describe('invalid configuration', () => {
    it.each([
      [{ OAUTH_CLOCK_TOLERANCE: 'abc' }, 'OAUTH_CLOCK_TOLERANCE: expected seconds, got "abc"'],
      [{ OAUTH_STRATEGY: 'magic' }, 'OAUTH_STRATEGY: expected one of jwt, introspection, auto, got "magic"'],
      [{ OAUTH_ISSUER: 'not a url' }, 'OAUTH_ISSUER: expected an http(s) URL, got "not a url"'],
      [{ OAUTH_JWKS_URI: 'ftp://x' }, 'OAUTH_JWKS_URI: expected an http(s) URL, got "ftp://x"'],
      [{ OAUTH_STRATEGY: 'introspection' }, 'OAUTH_CLIENT_ID: expected the API’s client id'],
      [{ OAUTH_ALGORITHMS: 'HS256' }, 'OAUTH_ALGORITHMS: HS256 needs a shared secret'],
      [{ OAUTH_HTTP_TIMEOUT_MS: '5s' }, 'OAUTH_HTTP_TIMEOUT_MS: expected milliseconds, got "5s"'],
      [{ PORT: 'eighty' }, 'PORT: expected a port number, got "eighty"'],
      [{ CORS_ORIGINS: 'localhost:3000' }, 'CORS_ORIGINS: expected origins'],
      [{ HTTP_PLATFORM: 'koa' }, 'HTTP_PLATFORM: expected one of express, fastify, got "koa"'],
      [{ HTTP_PLATFORM: 'Fastify ' }, 'HTTP_PLATFORM: expected one of express, fastify, got "Fastify"'],
      [
        { HTTP_PLATFORM: 'fastify', OAUTH_STRATEGY: 'magic' },
        'OAUTH_STRATEGY: expected one of jwt, introspection, auto',
      ],
    ])('stops todo-api at start-up with one line naming the variable (%j)', async (env, line) => {
      const { code, output } = await runToExit('todo-api', env);
      expect(code).toBe(1);
      expect(output).toContain(`todo-api: configuration error: ${line}`);
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    });

    it('stops the proxy on HTTP_PLATFORM=fastify with one line naming the variable (it streams Express requests)', async () => {
      const { code, output } = await runToExit('proxy', { HTTP_PLATFORM: 'fastify' });
      expect(code).toBe(1);
      expect(output).toContain(
        'proxy: configuration error: HTTP_PLATFORM: the proxy runs on express only, got "fastify"',
      );
      expect(output).not.toMatch(/\n\s+at /);
    });

    it('never prints the client secret', async () => {
      const { code, output } = await runToExit('help-api', {
        OAUTH_STRATEGY: 'introspection',
        OAUTH_CLIENT_SECRET: 'sup3r-s3cret',
        OAUTH_INTROSPECTION_ENDPOINT: 'nope',
      });
      expect(code).toBe(1);
      expect(output).toContain('OAUTH_CLIENT_ID');
      expect(output).not.toContain('sup3r-s3cret');
    });
  });
});
