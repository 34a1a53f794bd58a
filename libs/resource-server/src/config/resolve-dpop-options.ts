import {
  DPOP_ALGORITHMS,
  type DpopMode,
  type ResolvedDpopOptions,
  type ResourceServerOptions,
} from './resource-server-options.js';
import { isRedisUrl } from './url-checks.js';

const MODES: readonly DpopMode[] = ['off', 'allowed', 'required'];
const DEFAULT_ALGORITHMS: ResolvedDpopOptions['algorithms'] = ['ES256', 'RS256', 'PS256'];
const DEFAULT_PREFIX = 'nest-resource-server:dpop:';

type Problem = (option: string, text: string) => void;
type NumberReader = (value: unknown, fallback: number, option: string, unit: string, min: number) => number;

/**
 * Checks the DPoP options (RFC 9449) for `resolveOptions()`: the mode, asymmetric proof
 * algorithms only, the proof age, the public URL (an origin), and the Redis URL (by default the
 * introspection cache's).
 * @internal
 */
export function resolveDpopOptions(
  options: ResourceServerOptions,
  problem: Problem,
  number: NumberReader,
): ResolvedDpopOptions {
  const mode = options.dpop ?? 'off';
  if (!MODES.includes(mode)) problem('dpop', `expected one of ${MODES.join(', ')}, got ${show(mode)}`);
  const algorithms = [...(options.dpopAlgorithms ?? DEFAULT_ALGORITHMS)];
  if (!Array.isArray(options.dpopAlgorithms ?? []) || algorithms.length === 0) {
    problem('dpopAlgorithms', 'expected at least one algorithm');
  }
  for (const alg of algorithms) {
    if (!(DPOP_ALGORITHMS as readonly string[]).includes(alg)) {
      problem(
        'dpopAlgorithms',
        `unsupported algorithm ${show(alg)}; expected asymmetric ones among ${DPOP_ALGORITHMS.join(', ')}`,
      );
    }
  }
  const maxAgeSeconds = number(options.dpopMaxAgeSeconds, 300, 'dpopMaxAgeSeconds', 'seconds', 1);
  if (options.dpopNonce !== undefined && typeof options.dpopNonce !== 'boolean') {
    problem('dpopNonce', 'expected true or false');
  }
  let publicUrl: string | undefined;
  if (options.publicUrl !== undefined) {
    publicUrl = originOf(options.publicUrl);
    if (publicUrl === undefined) {
      problem(
        'publicUrl',
        `expected a scheme and host such as https://api.example.com, got ${show(options.publicUrl)}`,
      );
    }
  }
  // the shared Redis (`redisUrl`) holds DPoP state only while DPoP is on
  const shared = mode === 'off' ? undefined : options.redisUrl;
  const redisUrl = options.dpopRedisUrl ?? shared ?? options.introspection?.redisUrl;
  const sameAsIntrospection = options.dpopRedisUrl === options.introspection?.redisUrl; // reported once, there
  if (options.dpopRedisUrl !== undefined && !sameAsIntrospection && !isRedisUrl(options.dpopRedisUrl)) {
    problem('dpopRedisUrl', 'expected a redis:// or rediss:// URL');
  }
  const redisKeyPrefix = options.dpopRedisKeyPrefix ?? DEFAULT_PREFIX;
  if (typeof redisKeyPrefix !== 'string' || redisKeyPrefix === '') {
    problem('dpopRedisKeyPrefix', 'expected a non-empty string');
  }
  return {
    mode,
    algorithms: algorithms as ResolvedDpopOptions['algorithms'][number][],
    maxAgeSeconds,
    nonce: options.dpopNonce === true,
    publicUrl,
    redisUrl,
    redisKeyPrefix,
  };
}

/** The origin of an http(s) URL with no path (a trailing `/` is allowed), query or fragment. */
function originOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
    return (url.protocol === 'http:' || url.protocol === 'https:') && bare && !value.endsWith('?')
      ? url.origin
      : undefined;
  } catch {
    return undefined;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
