import { createSecretKey } from 'node:crypto';
import {
  SUPPORTED_ALGORITHMS,
  type JwsAlgorithm,
  type ResolvedIntrospectionOptions,
  type ResolvedOptions,
  type ResourceServerOptions,
  type TokenStrategyName,
} from './resource-server-options.js';
import { isHttpUrl, isOrigin, isRedisUrl } from './url-checks.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';
import { resolveResourceOptions } from './resolve-resource-options.js';
import { resolveIssuers } from './resolve-issuers.js';
import { resolveProvider } from './resolve-provider.js';
import { resolveDpopOptions } from './resolve-dpop-options.js';

/**
 * Names under which options are reported in errors. `optionsFromEnv()` sets them to the
 * environment variables the values came from.
 * @internal
 */
export const OPTION_LABELS: unique symbol = Symbol.for('nest-resource-server.optionLabels');

type Labelled = ResourceServerOptions & { [OPTION_LABELS]?: Partial<Record<string, string>> };

const STRATEGIES: readonly TokenStrategyName[] = ['jwt', 'introspection', 'auto'];
const DEFAULT_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'PS256', 'ES256'];
// RFC 6265 §4.1.1 cookie-name is an RFC 2616 token
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks and normalizes the options once, at start-up.
 * @throws ResourceServerConfigError listing every problem, a line each.
 */
export function resolveOptions(options: ResourceServerOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new ResourceServerConfigError(['options: expected an object']);
  }
  const labels = (options as Labelled)[OPTION_LABELS] ?? {};
  const problems: string[] = [];
  const label = (option: string) => labels[option] ?? option;
  const problem = (option: string, text: string) => problems.push(`${label(option)}: ${text}`);

  const issuerProblemsAt = problems.length; // the issuer's problems come first, as the option does
  const audienceList: unknown[] =
    typeof options.audience === 'string' ? [options.audience] : Array.isArray(options.audience) ? options.audience : [];
  const audiences = new Set(audienceList as string[]);
  if (audiences.size === 0 || audienceList.some((a) => typeof a !== 'string' || a.trim() === '')) {
    problem('audience', `expected one or more non-empty values, got ${show(options.audience)}`);
  }
  if (options.jwksUri !== undefined && !isHttpUrl(options.jwksUri)) {
    problem('jwksUri', `expected an http(s) URL, got ${show(options.jwksUri)}`);
  }
  const strategy = options.strategy ?? 'jwt';
  if (!STRATEGIES.includes(strategy)) {
    problem('strategy', `expected one of ${STRATEGIES.join(', ')}, got ${show(strategy)}`);
  }

  const hmacSecret = options.hmacSecret;
  if (hmacSecret !== undefined && (typeof hmacSecret !== 'string' || hmacSecret.length === 0)) {
    problem('hmacSecret', 'expected a non-empty string');
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.length === 0) problem('algorithms', 'expected at least one algorithm');
  for (const alg of algorithms) {
    if (!(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg)) {
      problem('algorithms', `unsupported algorithm ${show(alg)}; expected some of ${SUPPORTED_ALGORITHMS.join(', ')}`);
    } else if (alg.startsWith('HS') && !hmacSecret) {
      problem(
        'algorithms',
        `${alg} needs a shared secret (${label('hmacSecret')}); asymmetric algorithms only without one`,
      );
    }
  }

  const clockToleranceSeconds = number(options.clockToleranceSeconds, 30, 'clockToleranceSeconds', 'seconds', 0);
  const httpTimeoutMs = number(options.httpTimeoutMs, 5000, 'httpTimeoutMs', 'milliseconds', 1);
  const jwksMaxFetchesPerMinute = number(options.jwksMaxFetchesPerMinute, 10, 'jwksMaxFetchesPerMinute', 'a count', 1);
  const maxResolvedIssuers = number(options.maxResolvedIssuers, 1000, 'maxResolvedIssuers', 'a count', 1);
  const jwksRefreshIntervalSeconds = number(
    options.jwksRefreshIntervalSeconds,
    600,
    'jwksRefreshIntervalSeconds',
    'seconds',
    1,
  );

  const cookieName = options.cookieName === undefined ? 'app.at' : options.cookieName;
  if (cookieName !== false && (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))) {
    problem('cookieName', `expected a cookie name (RFC 6265 token) or false, got ${show(cookieName)}`);
  }
  const rolesClaim = options.rolesClaim ?? 'roles';
  if (typeof rolesClaim !== 'string' || rolesClaim === '') problem('rolesClaim', 'expected a claim name');
  if (options.realm !== undefined && (typeof options.realm !== 'string' || options.realm === '')) {
    problem('realm', 'expected a non-empty string');
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') problem('clock', 'expected a function');
  const trustedOrigins = new Set<string>();
  if (options.trustedOrigins !== undefined) {
    if (!Array.isArray(options.trustedOrigins)) problem('trustedOrigins', 'expected a list of origins');
    else
      for (const origin of options.trustedOrigins as unknown[]) {
        if (isOrigin(origin)) trustedOrigins.add(origin);
        else problem('trustedOrigins', `expected origins such as https://app.example.com, got ${show(origin)}`);
      }
  }

  let introspection: ResolvedIntrospectionOptions | undefined;
  if (strategy === 'introspection' || strategy === 'auto' || options.introspection) {
    introspection = resolveIntrospection(options.introspection, problem, number);
  }

  const verifiedTokenCache = resolveVerifiedTokenCache(options.verifiedTokenCache, problem, number);
  const resourceOptions = resolveResourceOptions(options, problem, label);
  const issuerDefaults = { audiences, algorithms: algorithms as JwsAlgorithm[], hmacConfigured: !!hmacSecret };
  const issuerProblems: string[] = [];
  const issuerProblem = (option: string, text: string) => issuerProblems.push(`${label(option)}: ${text}`);
  const { issuers, resolver } = resolveIssuers(options, issuerDefaults, issuerProblem);
  if ((strategy === 'introspection' || strategy === 'auto') && (resolver || issuers.length > 1)) {
    // an opaque token names no issuer, so nothing could pick the introspection endpoint
    issuerProblem('issuer', `the ${strategy} strategy takes exactly one issuer (it introspects at one endpoint)`);
  }
  problems.splice(issuerProblemsAt, 0, ...issuerProblems);
  const provider = resolveProvider(options.provider, options.rolesClaim, audiences, problem);
  // REDIS_URL feeds both: one line for one bad variable
  const redisUrlChecked = options.redisUrl === options.introspection?.redisUrl && introspection !== undefined;
  if (options.redisUrl !== undefined && !redisUrlChecked && !isRedisUrl(options.redisUrl)) {
    problem('redisUrl', 'expected a redis:// or rediss:// URL');
  }
  const dpop = resolveDpopOptions(options, problem, number);

  if (problems.length > 0) throw new ResourceServerConfigError(problems);
  const firstAudience = [...audiences][0] as string;
  return {
    issuer: issuers[0]?.issuer ?? '',
    audiences,
    jwksUri: issuers[0]?.jwksUri,
    strategy,
    algorithms: algorithms as JwsAlgorithm[],
    hmacKey: hmacSecret ? createSecretKey(Buffer.from(hmacSecret, 'utf8')) : undefined,
    clockToleranceSeconds,
    cookieName: cookieName === false ? undefined : cookieName,
    realm: options.realm ?? firstAudience,
    trustedOrigins,
    requireAccessTokenType: options.requireAccessTokenType === true,
    rolesClaim,
    httpTimeoutMs,
    jwksMaxFetchesPerMinute,
    jwksRefreshIntervalSeconds,
    introspection,
    verifiedTokenCache,
    clock: options.clock ?? Date.now,
    ...resourceOptions,
    issuers,
    issuerResolver: resolver,
    maxResolvedIssuers,
    ...provider,
    redisUrl: options.redisUrl ?? introspection?.redisUrl,
    dpop,
  };

  function number(value: unknown, fallback: number, option: string, unit: string, min: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      problem(option, `expected ${unit} (a number ≥ ${min}), got ${show(value)}`);
      return fallback;
    }
    return value;
  }
}

function resolveIntrospection(
  input: ResourceServerOptions['introspection'],
  problem: (option: string, text: string) => void,
  number: (value: unknown, fallback: number, option: string, unit: string, min: number) => number,
): ResolvedIntrospectionOptions | undefined {
  if (!input || typeof input !== 'object') {
    problem('introspection', 'the introspection and auto strategies need client credentials (clientId, clientSecret)');
    return undefined;
  }
  if (typeof input.clientId !== 'string' || input.clientId === '') {
    problem('introspection.clientId', 'expected the API’s client id');
  }
  if (typeof input.clientSecret !== 'string' || input.clientSecret === '') {
    problem('introspection.clientSecret', 'expected the API’s client secret');
  }
  if (input.endpoint !== undefined && !isHttpUrl(input.endpoint)) {
    problem('introspection.endpoint', `expected an http(s) URL, got ${show(input.endpoint)}`);
  }
  const clientAuthMethod = input.clientAuthMethod ?? 'client_secret_basic';
  if (clientAuthMethod !== 'client_secret_basic' && clientAuthMethod !== 'client_secret_post') {
    problem(
      'introspection.clientAuthMethod',
      `expected client_secret_basic or client_secret_post, got ${show(clientAuthMethod)}`,
    );
  }
  if (input.redisUrl !== undefined && !isRedisUrl(input.redisUrl)) {
    problem('introspection.redisUrl', 'expected a redis:// or rediss:// URL');
  }
  return {
    endpoint: input.endpoint,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    clientAuthMethod,
    cacheTtlSeconds: number(input.cacheTtlSeconds, 0, 'introspection.cacheTtlSeconds', 'seconds', 0),
    cacheMaxEntries: number(input.cacheMaxEntries, 10_000, 'introspection.cacheMaxEntries', 'a count', 1),
    inactiveCacheTtlSeconds: number(
      input.inactiveCacheTtlSeconds,
      5,
      'introspection.inactiveCacheTtlSeconds',
      'seconds',
      0,
    ),
    redisUrl: input.redisUrl,
  };
}

function resolveVerifiedTokenCache(
  input: ResourceServerOptions['verifiedTokenCache'],
  problem: (option: string, text: string) => void,
  number: (value: unknown, fallback: number, option: string, unit: string, min: number) => number,
): ResolvedOptions['verifiedTokenCache'] {
  if (input === undefined) return undefined;
  if (input === null || typeof input !== 'object') {
    problem('verifiedTokenCache', 'expected { ttlSeconds, maxEntries? }');
    return undefined;
  }
  if (input.ttlSeconds === undefined)
    problem('verifiedTokenCache.ttlSeconds', 'expected seconds (0 turns the cache off)');
  const ttlSeconds = number(input.ttlSeconds, 0, 'verifiedTokenCache.ttlSeconds', 'seconds', 0);
  const maxEntries = number(input.maxEntries, 10_000, 'verifiedTokenCache.maxEntries', 'a count', 1);
  // lru-cache takes whole numbers only; say so here rather than fail in a provider later
  if (!Number.isInteger(maxEntries))
    problem('verifiedTokenCache.maxEntries', `expected a whole number, got ${maxEntries}`);
  return ttlSeconds > 0 ? { ttlSeconds, maxEntries } : undefined;
}

// values are echoed to help the operator; secrets never reach this function
function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
