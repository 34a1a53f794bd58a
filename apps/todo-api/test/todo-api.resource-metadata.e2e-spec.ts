import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ResourceServerConfigError } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { sampleApiConfigFromEnv } from '../../shared/src/sample-api.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const RESOURCE = 'https://todo.example.com';
const PATH = '/.well-known/oauth-protected-resource';

describe.each(['express', 'fastify'])('todo-api with OAUTH_RESOURCE (HTTP_PLATFORM=%s)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;
  let plain: RunningApp;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    const env = { OAUTH_ISSUER: issuer.url, HTTP_PLATFORM: platform };
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, { ...env, OAUTH_RESOURCE: RESOURCE });
    plain = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, env);
  });
  afterAll(async () => {
    await api?.close();
    await plain?.close();
    await issuer?.close();
  });

  it('answers GET /.well-known/oauth-protected-resource without a token', async () => {
    const response = await fetch(`${api.url}${PATH}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [issuer.url],
      bearer_methods_supported: ['header'],
      scopes_supported: ['todo:write'],
    });
  });

  it('names the metadata in every 401 challenge', async () => {
    const none = await fetch(`${api.url}/me`);
    expect(none.headers.get('www-authenticate')).toBe(
      `Bearer realm="todo-api", resource_metadata="${RESOURCE}${PATH}"`,
    );
    const expired = issuer.token({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
    const invalid = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${expired}` } });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toBe(
      `Bearer realm="todo-api", error="invalid_token", error_description="token expired", resource_metadata="${RESOURCE}${PATH}"`,
    );
    const stepUp = await fetch(`${api.url}/todos`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${issuer.token({ claims: { scope: 'todo:write' } })}` },
    });
    expect(stepUp.status).toBe(401);
    expect(stepUp.headers.get('www-authenticate')).toMatch(
      /, resource_metadata="https:\/\/todo\.example\.com\/\.well-known\/oauth-protected-resource"$/,
    );
  });

  it('leaves it out of a 403', async () => {
    const response = await fetch(`${api.url}/todos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issuer.token()}`, 'content-type': 'application/json' },
      body: '{"title":"x"}',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="todo-api", error="insufficient_scope", scope="todo:write"',
    );
  });

  it('has no metadata route and no parameter without OAUTH_RESOURCE', async () => {
    expect((await fetch(`${plain.url}${PATH}`)).status).toBe(404);
    expect((await fetch(`${plain.url}/me`)).headers.get('www-authenticate')).toBe('Bearer realm="todo-api"');
  });
});

describe('todo-api OAUTH_RESOURCE at start-up', () => {
  it.each(['https://todo.example.com/api', 'https://todo.example.com/', 'not a url', 'https://todo.example.com?a=1'])(
    'stops with a line naming OAUTH_RESOURCE for %j',
    (value) => {
      let thrown: unknown;
      try {
        sampleApiConfigFromEnv({ OAUTH_RESOURCE: value }, DEFAULTS);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ResourceServerConfigError);
      expect((thrown as ResourceServerConfigError).problems).toEqual([
        expect.stringMatching(/^OAUTH_RESOURCE: expected a URL without path, query or fragment/),
      ]);
    },
  );
});
