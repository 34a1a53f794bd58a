import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from './resolve-options.js';
import { isHttpUrl } from './url-checks.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';
import type { ResourceServerOptions } from './resource-server-options.js';

const base: ResourceServerOptions = { issuer: 'https://issuer.example', audience: 'todo-api' };
const SECRET = 'introspection-client-secret-7f3a9c';

/** The problem lines of the ResourceServerConfigError that `resolveOptions` throws for `options`. */
function problemsOf(options: unknown): readonly string[] {
  let caught: unknown;
  try {
    resolveOptions(options as ResourceServerOptions);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ResourceServerConfigError);
  const error = caught as ResourceServerConfigError;
  expect(error.name).toBe('ResourceServerConfigError');
  expect(error.message).toBe(`Invalid resource server configuration:\n  ${error.problems.join('\n  ')}`);
  return error.problems;
}

describe('resolveOptions', () => {
  describe('defaults', () => {
    const resolved = resolveOptions(base);

    it.each<[string, unknown]>([
      ['issuer', 'https://issuer.example'],
      ['jwksUri', undefined],
      ['strategy', 'jwt'],
      ['algorithms', ['RS256', 'PS256', 'ES256']],
      ['hmacKey', undefined],
      ['clockToleranceSeconds', 30],
      ['cookieName', 'app.at'],
      ['realm', 'todo-api'],
      ['requireAccessTokenType', false],
      ['rolesClaim', 'roles'],
      ['httpTimeoutMs', 5000],
      ['jwksMaxFetchesPerMinute', 10],
      ['jwksRefreshIntervalSeconds', 600],
      ['introspection', undefined],
    ])('sets %s to %p', (name, value) => {
      expect(resolved[name as keyof typeof resolved]).toEqual(value);
    });

    it('turns a single audience into a set', () => {
      expect([...resolved.audiences]).toEqual(['todo-api']);
    });

    it('uses Date.now as the clock', () => {
      expect(resolved.clock).toBe(Date.now);
    });
  });

  describe('normalization', () => {
    it('keeps every audience of a list, once, and takes the realm from the first', () => {
      const resolved = resolveOptions({ ...base, audience: ['todo-api', 'todo-admin', 'todo-api'] });
      expect([...resolved.audiences]).toEqual(['todo-api', 'todo-admin']);
      expect(resolved.realm).toBe('todo-api');
    });

    it('keeps an explicit realm', () => {
      expect(resolveOptions({ ...base, realm: 'Todo API' }).realm).toBe('Todo API');
    });

    it('trusts no origin by default, and exactly the listed origins otherwise', () => {
      expect(resolveOptions(base).trustedOrigins.size).toBe(0);
      const listed = resolveOptions({ ...base, trustedOrigins: ['https://app.example.com', 'http://localhost:3000'] });
      expect([...listed.trustedOrigins]).toEqual(['https://app.example.com', 'http://localhost:3000']);
    });

    it.each(['https://app.example.com/', 'app.example.com', 'https://app.example.com/path', 'null'])(
      'refuses %j as a trusted origin, naming the option',
      (origin) => {
        expect(problemsOf({ ...base, trustedOrigins: [origin] })).toEqual([
          `trustedOrigins: expected origins such as https://app.example.com, got ${JSON.stringify(origin)}`,
        ]);
      },
    );

    it('reads only the header when cookieName is false', () => {
      expect(resolveOptions({ ...base, cookieName: false }).cookieName).toBeUndefined();
    });

    it('turns the HMAC secret into a secret key of its UTF-8 bytes', () => {
      const resolved = resolveOptions({ ...base, algorithms: ['RS256', 'HS256'], hmacSecret: 'shared-sécret' });
      expect(resolved.algorithms).toEqual(['RS256', 'HS256']);
      expect(resolved.hmacKey?.type).toBe('secret');
      expect(resolved.hmacKey?.export().equals(Buffer.from('shared-sécret', 'utf8'))).toBe(true);
    });

    it('keeps numbers at their minimum', () => {
      const resolved = resolveOptions({
        ...base,
        clockToleranceSeconds: 0,
        httpTimeoutMs: 1,
        jwksMaxFetchesPerMinute: 1,
        jwksRefreshIntervalSeconds: 1,
      });
      expect(resolved).toMatchObject({
        clockToleranceSeconds: 0,
        httpTimeoutMs: 1,
        jwksMaxFetchesPerMinute: 1,
        jwksRefreshIntervalSeconds: 1,
      });
    });

    it('keeps an injected clock', () => {
      const clock = () => 1_700_000_000_000;
      expect(resolveOptions({ ...base, clock }).clock).toBe(clock);
    });

    it.each(['introspection', 'auto'] as const)('fills introspection defaults for the %s strategy', (strategy) => {
      const resolved = resolveOptions({
        ...base,
        strategy,
        introspection: { clientId: 'todo-api', clientSecret: SECRET },
      });
      expect(resolved.strategy).toBe(strategy);
      expect(resolved.introspection).toEqual({
        endpoint: undefined,
        clientId: 'todo-api',
        clientSecret: SECRET,
        clientAuthMethod: 'client_secret_basic',
        cacheTtlSeconds: 0,
        cacheMaxEntries: 10_000,
        inactiveCacheTtlSeconds: 5,
        redisUrl: undefined,
      });
    });

    it('keeps explicit introspection settings', () => {
      const introspection = {
        endpoint: 'https://issuer.example/oauth2/introspect',
        clientId: 'todo-api',
        clientSecret: SECRET,
        clientAuthMethod: 'client_secret_post' as const,
        cacheTtlSeconds: 60,
        cacheMaxEntries: 5,
        inactiveCacheTtlSeconds: 0,
        redisUrl: 'rediss://cache.internal:6380/0',
      };
      expect(resolveOptions({ ...base, strategy: 'introspection', introspection }).introspection).toEqual(
        introspection,
      );
    });
  });

  describe('problems', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['a missing issuer', { issuer: undefined }, 'issuer: '],
      ['an issuer that is no URL', { issuer: 'issuer.example' }, 'issuer: '],
      ['an ftp issuer', { issuer: 'ftp://issuer.example' }, 'issuer: '],
      ['a missing audience', { audience: undefined }, 'audience: '],
      ['an empty audience list', { audience: [] }, 'audience: '],
      ['an empty audience', { audience: '' }, 'audience: '],
      ['a blank audience in a list', { audience: ['todo-api', ' '] }, 'audience: '],
      ['a non-string audience in a list', { audience: ['todo-api', 7] }, 'audience: '],
      ['a jwksUri that is no URL', { jwksUri: 'keys.json' }, 'jwksUri: '],
      ['an unknown strategy', { strategy: 'opaque' }, 'strategy: '],
      ['an empty hmacSecret', { hmacSecret: '' }, 'hmacSecret: '],
      ['an empty algorithm list', { algorithms: [] }, 'algorithms: '],
      ['alg none', { algorithms: ['none'] }, 'algorithms: '],
      ['an unsupported algorithm', { algorithms: ['RS256', 'EdDSA'] }, 'algorithms: '],
      ['a lower-case algorithm', { algorithms: ['rs256'] }, 'algorithms: '],
      ['HS256 without hmacSecret', { algorithms: ['HS256'] }, 'algorithms: '],
      ['a negative clockToleranceSeconds', { clockToleranceSeconds: -1 }, 'clockToleranceSeconds: '],
      ['a string clockToleranceSeconds', { clockToleranceSeconds: '30' }, 'clockToleranceSeconds: '],
      ['a NaN clockToleranceSeconds', { clockToleranceSeconds: Number.NaN }, 'clockToleranceSeconds: '],
      ['an infinite httpTimeoutMs', { httpTimeoutMs: Number.POSITIVE_INFINITY }, 'httpTimeoutMs: '],
      ['a zero httpTimeoutMs', { httpTimeoutMs: 0 }, 'httpTimeoutMs: '],
      ['a zero jwksMaxFetchesPerMinute', { jwksMaxFetchesPerMinute: 0 }, 'jwksMaxFetchesPerMinute: '],
      ['a zero jwksRefreshIntervalSeconds', { jwksRefreshIntervalSeconds: 0 }, 'jwksRefreshIntervalSeconds: '],
      ['an empty cookieName', { cookieName: '' }, 'cookieName: '],
      ['a cookieName with a space', { cookieName: 'app at' }, 'cookieName: '],
      ['a cookieName with a semicolon', { cookieName: 'app;at' }, 'cookieName: '],
      ['cookieName true', { cookieName: true }, 'cookieName: '],
      ['an empty rolesClaim', { rolesClaim: '' }, 'rolesClaim: '],
      ['an empty realm', { realm: '' }, 'realm: '],
      ['a clock that is no function', { clock: 1_700_000_000_000 }, 'clock: '],
      ['introspection without credentials', { strategy: 'introspection' }, 'introspection: '],
      ['auto without credentials', { strategy: 'auto' }, 'introspection: '],
      [
        'an empty clientId',
        { strategy: 'introspection', introspection: { clientId: '', clientSecret: SECRET } },
        'introspection.clientId: ',
      ],
      [
        'a missing clientSecret',
        { strategy: 'introspection', introspection: { clientId: 'todo-api' } },
        'introspection.clientSecret: ',
      ],
      [
        'an introspection endpoint that is no URL',
        {
          strategy: 'introspection',
          introspection: { clientId: 'todo-api', clientSecret: SECRET, endpoint: '/introspect' },
        },
        'introspection.endpoint: ',
      ],
      [
        'an unknown client auth method',
        {
          strategy: 'introspection',
          introspection: { clientId: 'todo-api', clientSecret: SECRET, clientAuthMethod: 'private_key_jwt' },
        },
        'introspection.clientAuthMethod: ',
      ],
      [
        'a negative cacheTtlSeconds',
        {
          strategy: 'introspection',
          introspection: { clientId: 'todo-api', clientSecret: SECRET, cacheTtlSeconds: -5 },
        },
        'introspection.cacheTtlSeconds: ',
      ],
      [
        'a zero cacheMaxEntries',
        {
          strategy: 'introspection',
          introspection: { clientId: 'todo-api', clientSecret: SECRET, cacheMaxEntries: 0 },
        },
        'introspection.cacheMaxEntries: ',
      ],
      [
        'a redisUrl that is not redis',
        {
          strategy: 'introspection',
          introspection: { clientId: 'todo-api', clientSecret: SECRET, redisUrl: 'http://cache' },
        },
        'introspection.redisUrl: ',
      ],
    ])('reports %s in one line naming the option', (_case, change, prefix) => {
      const problems = problemsOf({ ...base, ...change });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(prefix)).toBe(true);
    });

    it('echoes the bad value so the operator can find it', () => {
      expect(problemsOf({ ...base, clockToleranceSeconds: -1 })).toEqual([
        'clockToleranceSeconds: expected seconds (a number ≥ 0), got -1',
      ]);
      expect(problemsOf({ ...base, issuer: 'issuer.example' })).toEqual([
        'issuer: expected an http(s) URL, got "issuer.example"',
      ]);
    });

    it('reports every problem at once, a line each', () => {
      const problems = problemsOf({
        issuer: 'not a url',
        audience: [],
        strategy: 'opaque',
        clockToleranceSeconds: 'abc',
        cookieName: 'a b',
      });
      expect(problems).toHaveLength(5);
      for (const prefix of ['issuer: ', 'audience: ', 'strategy: ', 'clockToleranceSeconds: ', 'cookieName: ']) {
        expect(problems.filter((line) => line.startsWith(prefix))).toHaveLength(1);
      }
    });

    it('reports each bad algorithm', () => {
      const problems = problemsOf({ ...base, algorithms: ['none', 'HS256', 'RS256'] });
      expect(problems).toHaveLength(2);
      expect(problems.every((line) => line.startsWith('algorithms: '))).toBe(true);
      expect(problems[0]).toContain('"none"');
      expect(problems[1]).toContain('HS256');
    });

    it('reports an options value that is no object', () => {
      expect(problemsOf('issuer=https://issuer.example')).toEqual(['options: expected an object']);
    });

    it('never echoes the client secret or the HMAC secret', () => {
      const hmacSecret = 'hmac-shared-secret-0b1c2d';
      const error = (() => {
        try {
          resolveOptions({
            ...base,
            issuer: 'nope',
            strategy: 'introspection',
            hmacSecret,
            algorithms: ['HS256', 'none'],
            introspection: {
              clientId: '',
              clientSecret: SECRET,
              endpoint: 'not a url',
              redisUrl: `redis://:${SECRET}@cache example`,
            },
          });
        } catch (caught) {
          return caught as ResourceServerConfigError;
        }
        throw new Error('expected a ResourceServerConfigError');
      })();
      expect(error).toBeInstanceOf(ResourceServerConfigError);
      expect(error.problems.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
        'issuer',
        'algorithms',
        'introspection.clientId',
        'introspection.endpoint',
        'introspection.redisUrl',
      ]);
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain(hmacSecret);
    });

    it('never echoes a valid client secret beside other problems', () => {
      const error = (() => {
        try {
          resolveOptions({
            ...base,
            issuer: 'nope',
            strategy: 'introspection',
            introspection: { clientId: '', clientSecret: SECRET, clientAuthMethod: 'bogus' as 'client_secret_post' },
          });
        } catch (caught) {
          return caught as ResourceServerConfigError;
        }
        throw new Error('expected a ResourceServerConfigError');
      })();
      expect(error.problems).toHaveLength(3);
      expect(error.message).not.toContain(SECRET);
    });
  });
});

describe('isHttpUrl', () => {
  it.each<[unknown, boolean]>([
    ['https://issuer.example', true],
    ['http://localhost:3000/realms/demo', true],
    ['HTTPS://ISSUER.EXAMPLE/', true],
    ['ftp://issuer.example', false],
    ['issuer.example', false],
    ['/relative/path', false],
    ['', false],
    ['http://', false],
    ['file:///etc/passwd', false],
    [undefined, false],
    [42, false],
  ])('answers for %p', (value, answer) => {
    expect(isHttpUrl(value)).toBe(answer);
  });
});

describe('resolveOptions given no object or an odd audience', () => {
  it.each([null, undefined])('reports %p as one problem, not a TypeError', (value) => {
    expect(() => resolveOptions(value as unknown as ResourceServerOptions)).toThrow(
      new ResourceServerConfigError(['options: expected an object']),
    );
  });

  it.each([42, {}])('reports a non-iterable audience %p on the audience line', (audience) => {
    const run = () =>
      resolveOptions({ issuer: 'https://as.example.com', audience } as unknown as ResourceServerOptions);
    expect(run).toThrow(ResourceServerConfigError);
    try {
      run();
    } catch (error) {
      expect((error as ResourceServerConfigError).problems).toEqual([expect.stringMatching(/^audience: /)]);
    }
  });
});

describe('resolveOptions verifiedTokenCache', () => {
  it('is off by default', () => {
    expect(resolveOptions(base).verifiedTokenCache).toBeUndefined();
  });

  it('keeps at most 10 000 verifications unless told otherwise', () => {
    expect(resolveOptions({ ...base, verifiedTokenCache: { ttlSeconds: 60 } }).verifiedTokenCache).toEqual({
      ttlSeconds: 60,
      maxEntries: 10_000,
    });
    expect(
      resolveOptions({ ...base, verifiedTokenCache: { ttlSeconds: 5, maxEntries: 100 } }).verifiedTokenCache,
    ).toEqual({ ttlSeconds: 5, maxEntries: 100 });
  });

  it('is off with ttlSeconds 0', () => {
    expect(resolveOptions({ ...base, verifiedTokenCache: { ttlSeconds: 0 } }).verifiedTokenCache).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['a missing ttlSeconds', {}, 'verifiedTokenCache.ttlSeconds: expected seconds (0 turns the cache off)'],
    [
      'a negative ttlSeconds',
      { ttlSeconds: -1 },
      'verifiedTokenCache.ttlSeconds: expected seconds (a number ≥ 0), got -1',
    ],
    [
      'a ttlSeconds that is no number',
      { ttlSeconds: '60' },
      'verifiedTokenCache.ttlSeconds: expected seconds (a number ≥ 0), got "60"',
    ],
    [
      'a zero maxEntries',
      { ttlSeconds: 60, maxEntries: 0 },
      'verifiedTokenCache.maxEntries: expected a count (a number ≥ 1), got 0',
    ],
    [
      'a fractional maxEntries',
      { ttlSeconds: 60, maxEntries: 1.5 },
      'verifiedTokenCache.maxEntries: expected a whole number, got 1.5',
    ],
    ['a value that is no object', 60, 'verifiedTokenCache: expected { ttlSeconds, maxEntries? }'],
  ])('reports %s in one line naming the option', (_case, verifiedTokenCache, problem) => {
    expect(problemsOf({ ...base, verifiedTokenCache })).toEqual([problem]);
  });
});
