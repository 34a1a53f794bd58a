import { describe, expect, it } from '@jest/globals';
import { bffConfigFromEnv } from './bff-config.js';

describe('bffConfigFromEnv', () => {
  it('fills the demo defaults', () => {
    const config = bffConfigFromEnv({});
    expect(config).toMatchObject({
      port: 3005,
      origin: 'http://localhost:3005',
      issuer: 'http://localhost:4000',
      clientId: 'bff',
      todoApiUrl: 'http://localhost:3001',
      helpApiUrl: 'http://localhost:3002',
    });
    expect((config as { sessionSecret: string }).sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each<[Record<string, string>, string]>([
    [{ PORT: 'x' }, 'PORT: expected a port number, got "x"'],
    [{ BFF_ORIGIN: 'localhost:3005' }, 'BFF_ORIGIN: expected an http(s) URL, got "localhost:3005"'],
    [{ OAUTH_ISSUER: 'ftp://a' }, 'OAUTH_ISSUER: expected an http(s) URL, got "ftp://a"'],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379' },
      'SESSION_SECRET: required with REDIS_URL, so that every replica accepts the session cookie',
    ],
    [{ REDIS_URL: 'http://x', SESSION_SECRET: 's' }, 'REDIS_URL: expected a redis:// or rediss:// URL'],
  ])('reports %j as one line naming the variable', (env, line) => {
    expect(bffConfigFromEnv(env)).toEqual({ problems: [line] });
  });
});
