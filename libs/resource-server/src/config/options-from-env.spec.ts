import { describe, expect, it } from '@jest/globals';
import { ENV_VARIABLES, optionsFromEnv } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';

type Env = Record<string, string | undefined>;

const ISSUER = 'https://issuer.example/realms/demo';
const CLIENT_SECRET = 'client-secret-5b8e1d0f';
const HMAC_SECRET = 'hmac-secret-a91c44e2';
const minimal: Env = { OAUTH_ISSUER: ISSUER, OAUTH_AUDIENCE: 'todo-api' };

/** What `optionsFromEnv` and then `resolveOptions` report for `env`, as the module factory runs them. */
function configErrorFrom(env: Env): ResourceServerConfigError {
  let caught: unknown;
  try {
    resolveOptions(optionsFromEnv(env));
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ResourceServerConfigError);
  return caught as ResourceServerConfigError;
}

const problemsFrom = (env: Env) => configErrorFrom(env).problems;

describe('optionsFromEnv', () => {
  describe('defaults', () => {
    it('reads only issuer and audience from a minimal environment', () => {
      expect(optionsFromEnv(minimal)).toEqual({ issuer: ISSUER, audience: ['todo-api'] });
    });

    it('resolves a minimal environment to the contract defaults', () => {
      expect(resolveOptions(optionsFromEnv(minimal))).toMatchObject({
        issuer: ISSUER,
        audiences: new Set(['todo-api']),
        strategy: 'jwt',
        algorithms: ['RS256', 'PS256', 'ES256'],
        hmacKey: undefined,
        clockToleranceSeconds: 30,
        cookieName: 'app.at',
        introspection: undefined,
        httpTimeoutMs: 5000,
        realm: 'todo-api',
      });
    });

    it('takes issuer and audience from the defaults when the variables are unset', () => {
      const options = optionsFromEnv({}, { issuer: ISSUER, audience: 'help-api' });
      expect(options).toEqual({ issuer: ISSUER, audience: 'help-api' });
      expect([...resolveOptions(options).audiences]).toEqual(['help-api']);
    });

    it('lets the variables override the defaults', () => {
      const options = optionsFromEnv(
        { OAUTH_AUDIENCE: 'todo-admin', OAUTH_CLOCK_TOLERANCE: '5' },
        { issuer: ISSUER, audience: 'todo-api', clockToleranceSeconds: 60, rolesClaim: 'groups' },
      );
      expect(options).toEqual({
        issuer: ISSUER,
        audience: ['todo-admin'],
        clockToleranceSeconds: 5,
        rolesClaim: 'groups',
      });
    });

    it.each(['', '   '])('treats every variable set to %j as unset', (blank) => {
      const env: Env = Object.fromEntries(
        [...new Set(Object.values(ENV_VARIABLES))].map((name) => [name, blank] as const),
      );
      const options = optionsFromEnv(env, { issuer: ISSUER, audience: 'todo-api' });
      expect(options).toEqual({ issuer: ISSUER, audience: 'todo-api' });
      expect(resolveOptions(options)).toMatchObject({
        strategy: 'jwt',
        clockToleranceSeconds: 30,
        cookieName: 'app.at',
      });
    });

    it('treats an empty OAUTH_CLOCK_TOLERANCE as unset rather than as zero', () => {
      expect(resolveOptions(optionsFromEnv({ ...minimal, OAUTH_CLOCK_TOLERANCE: '' })).clockToleranceSeconds).toBe(30);
    });
  });

  describe('reading', () => {
    it('reads every variable of the contract', () => {
      const options = optionsFromEnv({
        OAUTH_ISSUER: ISSUER,
        OAUTH_JWKS_URI: `${ISSUER}/protocol/openid-connect/certs`,
        OAUTH_AUDIENCE: 'todo-api',
        OAUTH_STRATEGY: 'auto',
        OAUTH_INTROSPECTION_ENDPOINT: `${ISSUER}/introspect`,
        OAUTH_CLIENT_ID: 'todo-api',
        OAUTH_CLIENT_SECRET: CLIENT_SECRET,
        OAUTH_ALGORITHMS: 'RS256,HS256',
        OAUTH_HMAC_SECRET: HMAC_SECRET,
        OAUTH_CLOCK_TOLERANCE: '10',
        OAUTH_COOKIE_NAME: 'todo.at',
        OAUTH_INTROSPECTION_CACHE_TTL: '60',
        OAUTH_HTTP_TIMEOUT_MS: '2500',
        REDIS_URL: 'redis://127.0.0.1:6379',
      });
      expect(options).toEqual({
        issuer: ISSUER,
        jwksUri: `${ISSUER}/protocol/openid-connect/certs`,
        audience: ['todo-api'],
        strategy: 'auto',
        algorithms: ['RS256', 'HS256'],
        hmacSecret: HMAC_SECRET,
        clockToleranceSeconds: 10,
        cookieName: 'todo.at',
        httpTimeoutMs: 2500,
        introspection: {
          endpoint: `${ISSUER}/introspect`,
          clientId: 'todo-api',
          clientSecret: CLIENT_SECRET,
          cacheTtlSeconds: 60,
          redisUrl: 'redis://127.0.0.1:6379',
        },
        redisUrl: 'redis://127.0.0.1:6379',
      });
      expect(() => resolveOptions(options)).not.toThrow();
    });

    it('splits OAUTH_AUDIENCE on commas and trims spaces', () => {
      expect(optionsFromEnv({ ...minimal, OAUTH_AUDIENCE: ' todo-api , todo-admin,,  help-api ,' }).audience).toEqual([
        'todo-api',
        'todo-admin',
        'help-api',
      ]);
    });

    it('splits OAUTH_ALGORITHMS on commas and trims spaces', () => {
      expect(optionsFromEnv({ ...minimal, OAUTH_ALGORITHMS: 'RS256, PS256 ,ES256' }).algorithms).toEqual([
        'RS256',
        'PS256',
        'ES256',
      ]);
    });

    it('trims the issuer', () => {
      expect(optionsFromEnv({ ...minimal, OAUTH_ISSUER: `  ${ISSUER}  ` }).issuer).toBe(ISSUER);
    });

    it.each([
      ['0', 0],
      ['30', 30],
      ['2.5', 2.5],
    ])('reads OAUTH_CLOCK_TOLERANCE=%s as %p seconds', (value, seconds) => {
      expect(optionsFromEnv({ ...minimal, OAUTH_CLOCK_TOLERANCE: value }).clockToleranceSeconds).toBe(seconds);
    });

    it.each([
      ['true', true],
      ['YES', true],
      ['1', true],
      ['false', false],
      ['No', false],
      ['0', false],
    ])('reads OAUTH_REQUIRE_AT_JWT=%s as %p', (value, flag) => {
      expect(optionsFromEnv({ ...minimal, OAUTH_REQUIRE_AT_JWT: value }).requireAccessTokenType).toBe(flag);
    });

    it('accepts HS256 when OAUTH_HMAC_SECRET is set', () => {
      const resolved = resolveOptions(
        optionsFromEnv({ ...minimal, OAUTH_ALGORITHMS: 'HS256', OAUTH_HMAC_SECRET: HMAC_SECRET }),
      );
      expect(resolved.algorithms).toEqual(['HS256']);
      expect(resolved.hmacKey?.export().toString('utf8')).toBe(HMAC_SECRET);
    });

    it('builds introspection settings for OAUTH_STRATEGY=introspection with credentials', () => {
      const resolved = resolveOptions(
        optionsFromEnv({
          ...minimal,
          OAUTH_STRATEGY: 'introspection',
          OAUTH_CLIENT_ID: 'todo-api',
          OAUTH_CLIENT_SECRET: CLIENT_SECRET,
        }),
      );
      expect(resolved.strategy).toBe('introspection');
      expect(resolved.introspection).toMatchObject({
        clientId: 'todo-api',
        clientSecret: CLIENT_SECRET,
        clientAuthMethod: 'client_secret_basic',
        cacheTtlSeconds: 0,
      });
    });

    it('fills introspection credentials from the defaults', () => {
      const options = optionsFromEnv(
        { ...minimal, OAUTH_STRATEGY: 'introspection', OAUTH_CLIENT_SECRET: CLIENT_SECRET },
        { introspection: { clientId: 'todo-api', clientSecret: 'default-secret', cacheTtlSeconds: 30 } },
      );
      expect(options.introspection).toEqual({ clientId: 'todo-api', clientSecret: CLIENT_SECRET, cacheTtlSeconds: 30 });
    });
  });

  describe('problems read from the environment', () => {
    it('names OAUTH_CLOCK_TOLERANCE and echoes the value', () => {
      let caught: unknown;
      try {
        optionsFromEnv({ ...minimal, OAUTH_CLOCK_TOLERANCE: 'abc' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ResourceServerConfigError);
      expect((caught as ResourceServerConfigError).problems).toEqual([
        'OAUTH_CLOCK_TOLERANCE: expected seconds, got "abc"',
      ]);
    });

    it.each([
      ['OAUTH_CLOCK_TOLERANCE', '-5'],
      ['OAUTH_CLOCK_TOLERANCE', '30s'],
      ['OAUTH_CLOCK_TOLERANCE', '1e3'],
      ['OAUTH_CLOCK_TOLERANCE', '.5'],
      ['OAUTH_HTTP_TIMEOUT_MS', 'fast'],
      ['OAUTH_HTTP_TIMEOUT_MS', '0x10'],
      ['OAUTH_REQUIRE_AT_JWT', 'maybe'],
    ])('reports %s=%j in one line naming the variable', (name, value) => {
      const problems = problemsFrom({ ...minimal, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(`${name}: `)).toBe(true);
      expect(problems[0]).toContain(JSON.stringify(value));
    });

    it('reports OAUTH_INTROSPECTION_CACHE_TTL when introspection is configured', () => {
      const problems = problemsFrom({
        ...minimal,
        OAUTH_STRATEGY: 'introspection',
        OAUTH_CLIENT_ID: 'todo-api',
        OAUTH_CLIENT_SECRET: CLIENT_SECRET,
        OAUTH_INTROSPECTION_CACHE_TTL: 'one minute',
      });
      expect(problems).toEqual(['OAUTH_INTROSPECTION_CACHE_TTL: expected seconds, got "one minute"']);
    });

    it('reports every unreadable variable at once, a line each', () => {
      const problems = problemsFrom({
        ...minimal,
        OAUTH_CLOCK_TOLERANCE: 'abc',
        OAUTH_HTTP_TIMEOUT_MS: '5s',
        OAUTH_REQUIRE_AT_JWT: 'sure',
      });
      expect(problems).toEqual([
        'OAUTH_CLOCK_TOLERANCE: expected seconds, got "abc"',
        'OAUTH_HTTP_TIMEOUT_MS: expected milliseconds, got "5s"',
        'OAUTH_REQUIRE_AT_JWT: expected true or false, got "sure"',
      ]);
    });
  });

  describe('problems found when resolving', () => {
    it.each<[string, Env, string]>([
      ['a missing OAUTH_ISSUER', { OAUTH_AUDIENCE: 'todo-api' }, 'OAUTH_ISSUER: '],
      ['an OAUTH_ISSUER that is no URL', { ...minimal, OAUTH_ISSUER: 'issuer.example' }, 'OAUTH_ISSUER: '],
      ['a missing OAUTH_AUDIENCE', { OAUTH_ISSUER: ISSUER }, 'OAUTH_AUDIENCE: '],
      ['an OAUTH_AUDIENCE of commas only', { ...minimal, OAUTH_AUDIENCE: ' , ,' }, 'OAUTH_AUDIENCE: '],
      ['an OAUTH_JWKS_URI that is no URL', { ...minimal, OAUTH_JWKS_URI: 'certs' }, 'OAUTH_JWKS_URI: '],
      ['HS256 without OAUTH_HMAC_SECRET', { ...minimal, OAUTH_ALGORITHMS: 'RS256,HS256' }, 'OAUTH_ALGORITHMS: '],
      ['alg none', { ...minimal, OAUTH_ALGORITHMS: 'none' }, 'OAUTH_ALGORITHMS: '],
      ['an unsupported algorithm', { ...minimal, OAUTH_ALGORITHMS: 'RS256,EdDSA' }, 'OAUTH_ALGORITHMS: '],
      ['an OAUTH_COOKIE_NAME with a space', { ...minimal, OAUTH_COOKIE_NAME: 'app at' }, 'OAUTH_COOKIE_NAME: '],
      [
        'an OAUTH_INTROSPECTION_ENDPOINT that is no URL',
        {
          ...minimal,
          OAUTH_STRATEGY: 'introspection',
          OAUTH_CLIENT_ID: 'todo-api',
          OAUTH_CLIENT_SECRET: CLIENT_SECRET,
          OAUTH_INTROSPECTION_ENDPOINT: 'introspect',
        },
        'OAUTH_INTROSPECTION_ENDPOINT: ',
      ],
      [
        'a REDIS_URL that is not redis',
        {
          ...minimal,
          OAUTH_STRATEGY: 'introspection',
          OAUTH_CLIENT_ID: 'todo-api',
          OAUTH_CLIENT_SECRET: CLIENT_SECRET,
          REDIS_URL: 'localhost:6379',
        },
        'REDIS_URL: ',
      ],
      [
        'a REDIS_URL that is not redis, with the JWT strategy',
        { ...minimal, REDIS_URL: 'localhost:6379' },
        'REDIS_URL: ',
      ],
    ])('reports %s in one line naming the variable', (_case, env, prefix) => {
      const problems = problemsFrom(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith(prefix)).toBe(true);
    });

    it('echoes a bad OAUTH_ISSUER', () => {
      expect(problemsFrom({ ...minimal, OAUTH_ISSUER: 'issuer.example' })).toEqual([
        'OAUTH_ISSUER: expected an http(s) URL, got "issuer.example"',
      ]);
    });

    it('names OAUTH_STRATEGY for an unknown strategy', () => {
      const problems = problemsFrom({ ...minimal, OAUTH_STRATEGY: 'opaque' });
      expect(problems).toContain('OAUTH_STRATEGY: expected one of jwt, introspection, auto, got "opaque"');
    });

    it.each(['introspection', 'auto'])(
      'names OAUTH_CLIENT_ID for OAUTH_STRATEGY=%s without credentials',
      (strategy) => {
        const problems = problemsFrom({ ...minimal, OAUTH_STRATEGY: strategy });
        expect(problems.filter((line) => line.startsWith('OAUTH_CLIENT_ID: '))).toHaveLength(1);
        expect(problems.filter((line) => line.startsWith('OAUTH_CLIENT_SECRET: '))).toHaveLength(1);
        expect(problems).toHaveLength(2);
      },
    );

    it('names OAUTH_CLIENT_SECRET when only the client id is set', () => {
      const problems = problemsFrom({ ...minimal, OAUTH_STRATEGY: 'introspection', OAUTH_CLIENT_ID: 'todo-api' });
      expect(problems).toHaveLength(1);
      expect(problems[0]!.startsWith('OAUTH_CLIENT_SECRET: ')).toBe(true);
    });

    it('names OAUTH_ALGORITHMS for none', () => {
      expect(problemsFrom({ ...minimal, OAUTH_ALGORITHMS: 'none' })).toEqual([
        'OAUTH_ALGORITHMS: unsupported algorithm "none"; expected some of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512',
      ]);
    });

    it('reports several bad variables at once, a line each', () => {
      const problems = problemsFrom({
        OAUTH_ISSUER: 'issuer.example',
        OAUTH_JWKS_URI: 'certs',
        OAUTH_ALGORITHMS: 'none',
        OAUTH_COOKIE_NAME: 'a;b',
      });
      expect(problems.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
        'OAUTH_ISSUER',
        'OAUTH_AUDIENCE',
        'OAUTH_JWKS_URI',
        'OAUTH_ALGORITHMS',
        'OAUTH_COOKIE_NAME',
      ]);
    });
  });

  describe('secrets', () => {
    it.each<[string, Env]>([
      ['the client id is missing', { ...minimal, OAUTH_STRATEGY: 'introspection', OAUTH_CLIENT_SECRET: CLIENT_SECRET }],
      [
        'other variables are bad',
        {
          OAUTH_ISSUER: 'nope',
          OAUTH_STRATEGY: 'auto',
          OAUTH_CLIENT_ID: '',
          OAUTH_CLIENT_SECRET: CLIENT_SECRET,
          OAUTH_HMAC_SECRET: HMAC_SECRET,
          OAUTH_ALGORITHMS: 'HS256,none',
          OAUTH_INTROSPECTION_ENDPOINT: 'introspect',
          REDIS_URL: `redis://:${CLIENT_SECRET}@cache host`,
        },
      ],
      [
        'a number does not parse',
        {
          ...minimal,
          OAUTH_CLIENT_ID: 'todo-api',
          OAUTH_CLIENT_SECRET: CLIENT_SECRET,
          OAUTH_HMAC_SECRET: HMAC_SECRET,
          OAUTH_INTROSPECTION_CACHE_TTL: 'abc',
          OAUTH_CLOCK_TOLERANCE: 'abc',
        },
      ],
      ['the strategy is unknown', { ...minimal, OAUTH_STRATEGY: 'opaque', OAUTH_CLIENT_SECRET: CLIENT_SECRET }],
    ])('keeps the client secret and the HMAC secret out of the error when %s', (_case, env) => {
      const error = configErrorFrom(env);
      expect(error.problems.length).toBeGreaterThan(0);
      expect(error.message).not.toContain(CLIENT_SECRET);
      expect(error.message).not.toContain(HMAC_SECRET);
    });
  });
});

describe('optionsFromEnv reporting', () => {
  it('gives one line for an unknown OAUTH_STRATEGY', () => {
    expect(problemsFrom({ ...minimal, OAUTH_STRATEGY: 'opaque' })).toEqual([
      'OAUTH_STRATEGY: expected one of jwt, introspection, auto, got "opaque"',
    ]);
  });

  it('reports parse and resolve problems in one round', () => {
    expect(problemsFrom({ OAUTH_ISSUER: 'bad', OAUTH_AUDIENCE: 'a', OAUTH_CLOCK_TOLERANCE: 'abc' })).toEqual([
      'OAUTH_CLOCK_TOLERANCE: expected seconds, got "abc"',
      'OAUTH_ISSUER: expected an http(s) URL, got "bad"',
    ]);
  });

  it('names OAUTH_HMAC_SECRET, not the option, when HS256 lacks a secret', () => {
    expect(problemsFrom({ ...minimal, OAUTH_ALGORITHMS: 'HS256' })).toEqual([
      'OAUTH_ALGORITHMS: HS256 needs a shared secret (OAUTH_HMAC_SECRET); asymmetric algorithms only without one',
    ]);
  });
});

describe('optionsFromEnv OAUTH_VERIFIED_TOKEN_CACHE_TTL', () => {
  it('turns the verified-token cache on, keeping maxEntries from the defaults', () => {
    const options = optionsFromEnv(
      { ...minimal, OAUTH_VERIFIED_TOKEN_CACHE_TTL: '120' },
      { verifiedTokenCache: { ttlSeconds: 5, maxEntries: 50 } },
    );
    expect(options.verifiedTokenCache).toEqual({ ttlSeconds: 120, maxEntries: 50 });
    expect(resolveOptions(options).verifiedTokenCache).toEqual({ ttlSeconds: 120, maxEntries: 50 });
  });

  it('turns it off with 0', () => {
    expect(resolveOptions(optionsFromEnv({ ...minimal, OAUTH_VERIFIED_TOKEN_CACHE_TTL: '0' })).verifiedTokenCache).toBe(
      undefined,
    );
  });

  it('leaves it off when unset', () => {
    expect(optionsFromEnv(minimal).verifiedTokenCache).toBeUndefined();
  });

  it('reports a value that is no number in one line naming the variable', () => {
    expect(problemsFrom({ ...minimal, OAUTH_VERIFIED_TOKEN_CACHE_TTL: '1m' })).toEqual([
      'OAUTH_VERIFIED_TOKEN_CACHE_TTL: expected seconds, got "1m"',
    ]);
  });
});
