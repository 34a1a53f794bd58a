import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';

const BASE = { issuer: 'https://as.example.com', audience: 'api' };
const ENV = { OAUTH_ISSUER: 'https://as.example.com', OAUTH_AUDIENCE: 'api' };

function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ResourceServerConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('resolveOptions, DPoP', () => {
  it('leaves DPoP off by default, with the contract’s defaults', () => {
    expect(resolveOptions(BASE).dpop).toEqual({
      mode: 'off',
      algorithms: ['ES256', 'RS256', 'PS256'],
      maxAgeSeconds: 300,
      nonce: false,
      publicUrl: undefined,
      redisUrl: undefined,
      redisKeyPrefix: 'nest-resource-server:dpop:',
    });
  });

  it('takes the introspection cache’s Redis unless told otherwise', () => {
    const introspection = { clientId: 'c', clientSecret: 's', redisUrl: 'redis://r:6379' };
    expect(resolveOptions({ ...BASE, dpop: 'allowed', introspection }).dpop.redisUrl).toBe('redis://r:6379');
  });

  it('keeps the origin of the public URL', () => {
    expect(resolveOptions({ ...BASE, publicUrl: 'https://API.example.com/' }).dpop.publicUrl).toBe(
      'https://api.example.com',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown mode', { dpop: 'maybe' }, 'dpop: expected one of off, allowed, required, got "maybe"'],
    ['an HMAC proof algorithm', { dpopAlgorithms: ['HS256'] }, 'dpopAlgorithms: unsupported algorithm "HS256"'],
    ['alg none', { dpopAlgorithms: ['none'] }, 'dpopAlgorithms: unsupported algorithm "none"'],
    ['no proof algorithm', { dpopAlgorithms: [] }, 'dpopAlgorithms: expected at least one algorithm'],
    ['a zero max age', { dpopMaxAgeSeconds: 0 }, 'dpopMaxAgeSeconds: expected seconds'],
    ['a public URL with a path', { publicUrl: 'https://api.example.com/v1' }, 'publicUrl: expected a scheme and host'],
    ['a public URL that is no URL', { publicUrl: 'api.example.com' }, 'publicUrl: expected a scheme and host'],
    ['a Redis URL that is not redis', { dpopRedisUrl: 'http://r' }, 'dpopRedisUrl: expected a redis://'],
  ])('refuses %s', (_case, options, problem) => {
    const found = problems(() => resolveOptions({ ...BASE, ...options }));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(problem);
  });
});

describe('optionsFromEnv, DPoP', () => {
  it('reads every DPoP variable', () => {
    const options = optionsFromEnv({
      ...ENV,
      OAUTH_DPOP: 'Required',
      OAUTH_DPOP_ALGORITHMS: 'ES256, PS256',
      OAUTH_DPOP_MAX_AGE: '60',
      OAUTH_DPOP_NONCE: 'true',
      OAUTH_PUBLIC_URL: 'https://todo.example.com',
      REDIS_URL: 'redis://127.0.0.1:6379',
      OAUTH_DPOP_REDIS_PREFIX: 'test:',
    });
    expect(resolveOptions(options).dpop).toEqual({
      mode: 'required',
      algorithms: ['ES256', 'PS256'],
      maxAgeSeconds: 60,
      nonce: true,
      publicUrl: 'https://todo.example.com',
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'test:',
    });
  });

  it('keeps DPoP state out of Redis while DPoP is off', () => {
    expect(resolveOptions(optionsFromEnv({ ...ENV, REDIS_URL: 'redis://r:6379' })).dpop.redisUrl).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string]>([
    ['OAUTH_DPOP', { OAUTH_DPOP: 'yes' }, 'OAUTH_DPOP: expected one of off, allowed, required, got "yes"'],
    ['OAUTH_DPOP_ALGORITHMS', { OAUTH_DPOP_ALGORITHMS: 'HS256' }, 'OAUTH_DPOP_ALGORITHMS: unsupported algorithm'],
    ['OAUTH_DPOP_MAX_AGE', { OAUTH_DPOP_MAX_AGE: 'soon' }, 'OAUTH_DPOP_MAX_AGE: expected seconds, got "soon"'],
    ['OAUTH_DPOP_NONCE', { OAUTH_DPOP_NONCE: 'maybe' }, 'OAUTH_DPOP_NONCE: expected true or false'],
    ['OAUTH_PUBLIC_URL', { OAUTH_PUBLIC_URL: 'todo.example.com' }, 'OAUTH_PUBLIC_URL: expected a scheme and host'],
  ])('names %s when its value is invalid, in one line', (_variable, env, problem) => {
    const found = problems(() => resolveOptions(optionsFromEnv({ ...ENV, ...env })));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(problem);
  });
});
