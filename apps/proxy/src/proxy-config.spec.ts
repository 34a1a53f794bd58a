import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../../../test/support/config-problems.js';
import { proxyConfigFromEnv } from './proxy-config.js';

describe('proxyConfigFromEnv', () => {
  it('fills the demo defaults: port 3004, the audience of todo-api, forwarding to it under /api', () => {
    const config = proxyConfigFromEnv({});
    expect(config).toMatchObject({
      platform: 'express',
      port: 3004,
      resourceServer: { audience: 'todo-api', realm: 'todo-api' },
      forwarding: { upstream: 'http://127.0.0.1:3001', mountPath: '/api', timeoutMs: 10_000, trustForwarded: false },
    });
  });

  it('reads its own variables', () => {
    const config = proxyConfigFromEnv({
      HTTP_PLATFORM: 'express',
      UPSTREAM_URL: 'https://todo.example.net',
      PROXY_TIMEOUT_MS: '2500',
      PROXY_TRUST_FORWARDED: 'TRUE',
    });
    expect(config.forwarding).toEqual({
      upstream: 'https://todo.example.net',
      mountPath: '/api',
      timeoutMs: 2500,
      trustForwarded: true,
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ HTTP_PLATFORM: 'fastify' }, 'HTTP_PLATFORM: the proxy runs on express only, got "fastify"'],
    [{ HTTP_PLATFORM: 'koa' }, 'HTTP_PLATFORM: the proxy runs on express only, got "koa"'],
    [{ UPSTREAM_URL: 'todo-api:3001' }, 'UPSTREAM_URL: expected an http(s) URL, got "todo-api:3001"'],
    [{ PROXY_TIMEOUT_MS: '0' }, 'PROXY_TIMEOUT_MS: expected milliseconds, got "0"'],
    [{ PROXY_TRUST_FORWARDED: 'yes' }, 'PROXY_TRUST_FORWARDED: expected true or false, got "yes"'],
    [{ PORT: 'eighty' }, 'PORT: expected a port number, got "eighty"'],
    [{ OAUTH_STRATEGY: 'magic' }, 'OAUTH_STRATEGY: expected one of jwt, introspection, auto, got "magic"'],
  ])('reports %j as one line naming the variable', (env, line) => {
    expect(configProblems(() => proxyConfigFromEnv(env))).toEqual([line]);
  });

  it('reports the API’s problems and its own at once', () => {
    expect(configProblems(() => proxyConfigFromEnv({ CORS_ORIGINS: 'nope', PROXY_TRUST_FORWARDED: 'yes' }))).toEqual([
      'CORS_ORIGINS: expected origins such as https://app.example.com, got "nope"',
      'PROXY_TRUST_FORWARDED: expected true or false, got "yes"',
    ]);
  });
});
