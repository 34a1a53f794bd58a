import type { ResourceServerOptions, TokenStrategyName } from './resource-server-options.js';
import type { ProviderName } from './presets/provider-presets.js';
import { OPTION_LABELS, resolveOptions } from './resolve-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';

/** The environment variables `optionsFromEnv()` reads, by option. */
export const ENV_VARIABLES = {
  issuer: 'OAUTH_ISSUER',
  jwksUri: 'OAUTH_JWKS_URI',
  audience: 'OAUTH_AUDIENCE',
  strategy: 'OAUTH_STRATEGY',
  algorithms: 'OAUTH_ALGORITHMS',
  hmacSecret: 'OAUTH_HMAC_SECRET',
  clockToleranceSeconds: 'OAUTH_CLOCK_TOLERANCE',
  cookieName: 'OAUTH_COOKIE_NAME',
  httpTimeoutMs: 'OAUTH_HTTP_TIMEOUT_MS',
  rolesClaim: 'OAUTH_ROLES_CLAIM',
  realm: 'OAUTH_REALM',
  trustedOrigins: 'OAUTH_TRUSTED_ORIGINS',
  requireAccessTokenType: 'OAUTH_REQUIRE_AT_JWT',
  introspection: 'OAUTH_CLIENT_ID',
  'introspection.endpoint': 'OAUTH_INTROSPECTION_ENDPOINT',
  'introspection.clientId': 'OAUTH_CLIENT_ID',
  'introspection.clientSecret': 'OAUTH_CLIENT_SECRET',
  'introspection.clientAuthMethod': 'OAUTH_CLIENT_AUTH_METHOD',
  'introspection.cacheTtlSeconds': 'OAUTH_INTROSPECTION_CACHE_TTL',
  'introspection.redisUrl': 'REDIS_URL',
  verifiedTokenCache: 'OAUTH_VERIFIED_TOKEN_CACHE_TTL',
  'verifiedTokenCache.ttlSeconds': 'OAUTH_VERIFIED_TOKEN_CACHE_TTL',
  resource: 'OAUTH_RESOURCE',
  mtls: 'OAUTH_MTLS',
  forwardedClientCertificateHeader: 'OAUTH_MTLS_CERT_HEADER',
  provider: 'OAUTH_PROVIDER',
  redisUrl: 'REDIS_URL',
  dpop: 'OAUTH_DPOP',
  dpopAlgorithms: 'OAUTH_DPOP_ALGORITHMS',
  dpopMaxAgeSeconds: 'OAUTH_DPOP_MAX_AGE',
  dpopNonce: 'OAUTH_DPOP_NONCE',
  publicUrl: 'OAUTH_PUBLIC_URL',
  dpopRedisUrl: 'REDIS_URL',
  dpopRedisKeyPrefix: 'OAUTH_DPOP_REDIS_PREFIX',
} as const;

/**
 * Reads the options from environment variables (the sample apps' operator contract).
 * `defaults` fill what the environment leaves unset; an empty variable counts as unset.
 * Problems found later by `resolveOptions()` name the variable, not the option.
 *
 * @example
 * ResourceServerModule.forRoot(optionsFromEnv(process.env, { audience: 'todo-api' }))
 * @throws ResourceServerConfigError when a number or flag does not parse.
 */
export function optionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  defaults: Partial<ResourceServerOptions> = {},
): ResourceServerOptions {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const list = (name: string) =>
    read(name)
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const number = (name: string, unit: string): number | undefined => {
    const value = read(name);
    if (value === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(value)) {
      problems.push(`${name}: expected ${unit}, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return Number(value);
  };
  const flag = (name: string): boolean | undefined => {
    const value = read(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (['1', 'true', 'yes'].includes(value)) return true;
    if (['0', 'false', 'no'].includes(value)) return false;
    problems.push(`${name}: expected true or false, got ${JSON.stringify(value)}`);
    return undefined;
  };

  const options: ResourceServerOptions = {
    ...defaults,
    issuer: read('OAUTH_ISSUER') ?? defaults.issuer ?? '',
    audience: list('OAUTH_AUDIENCE') ?? defaults.audience ?? [],
  };
  assign(options, 'jwksUri', read('OAUTH_JWKS_URI'));
  readSeveralIssuers(options, list('OAUTH_ISSUER'), list('OAUTH_JWKS_URI'), problems);
  assign(options, 'provider', read('OAUTH_PROVIDER') as ProviderName | undefined);
  assign(options, 'strategy', read('OAUTH_STRATEGY') as TokenStrategyName | undefined);
  assign(options, 'algorithms', list('OAUTH_ALGORITHMS'));
  assign(options, 'hmacSecret', read('OAUTH_HMAC_SECRET'));
  assign(options, 'clockToleranceSeconds', number('OAUTH_CLOCK_TOLERANCE', 'seconds'));
  assign(options, 'cookieName', read('OAUTH_COOKIE_NAME'));
  assign(options, 'httpTimeoutMs', number('OAUTH_HTTP_TIMEOUT_MS', 'milliseconds'));
  assign(options, 'rolesClaim', read('OAUTH_ROLES_CLAIM'));
  assign(options, 'realm', read('OAUTH_REALM'));
  assign(options, 'trustedOrigins', list('OAUTH_TRUSTED_ORIGINS'));
  assign(options, 'requireAccessTokenType', flag('OAUTH_REQUIRE_AT_JWT'));
  assign(options, 'resource', read('OAUTH_RESOURCE'));
  assign(options, 'mtls', flag('OAUTH_MTLS'));
  assign(options, 'forwardedClientCertificateHeader', read('OAUTH_MTLS_CERT_HEADER'));
  assign(options, 'redisUrl', read('REDIS_URL'));
  const verifiedTtl = number('OAUTH_VERIFIED_TOKEN_CACHE_TTL', 'seconds');
  if (verifiedTtl !== undefined)
    options.verifiedTokenCache = { ...defaults.verifiedTokenCache, ttlSeconds: verifiedTtl };

  assign(options, 'dpop', read('OAUTH_DPOP')?.toLowerCase() as ResourceServerOptions['dpop']);
  assign(options, 'dpopAlgorithms', list('OAUTH_DPOP_ALGORITHMS'));
  assign(options, 'dpopMaxAgeSeconds', number('OAUTH_DPOP_MAX_AGE', 'seconds'));
  assign(options, 'dpopNonce', flag('OAUTH_DPOP_NONCE'));
  assign(options, 'publicUrl', read('OAUTH_PUBLIC_URL'));
  // the replay store and nonce secret live in Redis only while DPoP is on
  if ((options.dpop ?? 'off') !== 'off') assign(options, 'dpopRedisUrl', read('REDIS_URL'));
  assign(options, 'dpopRedisKeyPrefix', read('OAUTH_DPOP_REDIS_PREFIX'));

  const clientId = read('OAUTH_CLIENT_ID');
  const clientSecret = read('OAUTH_CLIENT_SECRET');
  const strategy = options.strategy ?? 'jwt';
  if (clientId || clientSecret || strategy === 'introspection' || strategy === 'auto' || defaults.introspection) {
    const base = defaults.introspection;
    const introspection = {
      ...base,
      clientId: clientId ?? base?.clientId ?? '',
      clientSecret: clientSecret ?? base?.clientSecret ?? '',
    };
    assign(introspection, 'endpoint', read('OAUTH_INTROSPECTION_ENDPOINT'));
    assign(introspection, 'clientAuthMethod', read('OAUTH_CLIENT_AUTH_METHOD') as 'client_secret_basic' | undefined);
    assign(introspection, 'cacheTtlSeconds', number('OAUTH_INTROSPECTION_CACHE_TTL', 'seconds'));
    assign(introspection, 'redisUrl', read('REDIS_URL'));
    options.introspection = introspection;
  }

  Object.defineProperty(options, OPTION_LABELS, { value: ENV_VARIABLES, enumerable: false });
  if (problems.length > 0) {
    // report every problem in one round: what parsed is checked too
    try {
      resolveOptions(options);
    } catch (error) {
      if (error instanceof ResourceServerConfigError) problems.push(...error.problems);
    }
    throw new ResourceServerConfigError(problems);
  }
  return options;
}

/** `OAUTH_ISSUER` with several issuers, and `OAUTH_JWKS_URI` then as a list in the same order. */
function readSeveralIssuers(
  options: ResourceServerOptions,
  issuers: string[] | undefined,
  jwksUris: string[] | undefined,
  problems: string[],
): void {
  if (issuers === undefined || issuers.length < 2) return;
  delete options.jwksUri;
  if (jwksUris !== undefined && jwksUris.length !== issuers.length) {
    problems.push(
      `OAUTH_JWKS_URI: expected ${issuers.length} URLs, one per issuer of OAUTH_ISSUER in the same order, got ${jwksUris.length}`,
    );
    jwksUris = undefined;
  }
  options.issuer = issuers.map((issuer, i) => (jwksUris ? { issuer, jwksUri: jwksUris[i] } : issuer));
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
