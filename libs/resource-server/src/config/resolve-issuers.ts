import type { IssuerResolver, IssuerSettings, ResolvedIssuer } from './issuer-settings.js';
import { SUPPORTED_ALGORITHMS, type JwsAlgorithm, type ResourceServerOptions } from './resource-server-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';
import { isHttpUrl } from './url-checks.js';

/** What an issuer inherits from the module's options when its settings leave it out. @internal */
export interface IssuerDefaults {
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly JwsAlgorithm[];
  readonly hmacConfigured: boolean;
}

/** The `issuer` option, checked: the static issuers, or the resolver of dynamic tenants. @internal */
export interface IssuerChoice {
  readonly issuers: readonly ResolvedIssuer[];
  readonly resolver?: IssuerResolver;
}

type Problem = (option: string, text: string) => void;

/**
 * Checks the `issuer` option: one URL, a list of URLs or {@link IssuerSettings} (each issuer
 * once), or a resolver function. A top-level `jwksUri` belongs to a single issuer only.
 * @internal
 */
export function resolveIssuers(
  options: Pick<ResourceServerOptions, 'issuer' | 'jwksUri'>,
  defaults: IssuerDefaults,
  problem: Problem,
): IssuerChoice {
  const input = options.issuer;
  if (typeof input === 'function') {
    if (options.jwksUri !== undefined) problem('jwksUri', 'a resolver of issuers gives each issuer its jwksUri');
    return { issuers: [], resolver: input };
  }
  if (typeof input === 'string' || !Array.isArray(input)) {
    if (typeof input !== 'string' || !isHttpUrl(input)) {
      problem('issuer', `expected an http(s) URL, got ${show(input)}`);
      return { issuers: [] };
    }
    // the top-level jwksUri is checked with the other top-level options
    return { issuers: [{ ...resolveIssuer({ issuer: input }, defaults, problem), jwksUri: options.jwksUri }] };
  }
  const list = input as readonly unknown[];
  if (list.length === 0) problem('issuer', 'expected one or more issuers, got an empty list');
  if (list.length > 1 && options.jwksUri !== undefined) {
    problem('jwksUri', 'with several issuers, give each issuer its own jwksUri');
  }
  const issuers: { -readonly [K in keyof ResolvedIssuer]: ResolvedIssuer[K] }[] = [];
  for (const entry of list) {
    const settings: IssuerSettings =
      typeof entry === 'string'
        ? { issuer: entry }
        : entry !== null && typeof entry === 'object'
          ? (entry as IssuerSettings)
          : { issuer: entry as string };
    const resolved = resolveIssuer(settings, defaults, problem);
    if (list.length === 1) resolved.jwksUri ??= options.jwksUri;
    if (issuers.some((other) => other.issuer === resolved.issuer)) {
      problem('issuer', `lists ${show(resolved.issuer)} twice`);
    }
    issuers.push(resolved);
  }
  return { issuers };
}

/**
 * Checks the settings a resolver answered for a token's `iss`, as start-up checks static ones.
 * @throws ResourceServerConfigError naming what is wrong.
 * @internal
 */
export function resolveIssuerSettings(iss: string, settings: IssuerSettings, defaults: IssuerDefaults): ResolvedIssuer {
  const problems: string[] = [];
  const problem: Problem = (option, text) => problems.push(`issuer resolver (${show(iss)}): ${option}: ${text}`);
  if (settings === null || typeof settings !== 'object') {
    throw new ResourceServerConfigError([`issuer resolver (${show(iss)}): expected settings or undefined`]);
  }
  if (settings.issuer !== iss) problem('issuer', `expected ${show(iss)}, got ${show(settings.issuer)}`);
  const resolved = resolveIssuer(settings, defaults, problem);
  if (problems.length > 0) throw new ResourceServerConfigError(problems);
  return resolved;
}

function resolveIssuer(
  settings: IssuerSettings,
  defaults: IssuerDefaults,
  problem: Problem,
): { -readonly [K in keyof ResolvedIssuer]: ResolvedIssuer[K] } {
  const { issuer, jwksUri } = settings;
  if (!isHttpUrl(issuer)) problem('issuer', `expected http(s) URLs, got ${show(issuer)}`);
  if (jwksUri !== undefined && !isHttpUrl(jwksUri)) problem('jwksUri', `expected an http(s) URL, got ${show(jwksUri)}`);
  let audiences = defaults.audiences;
  if (settings.audience !== undefined) {
    const list: unknown[] = typeof settings.audience === 'string' ? [settings.audience] : [...settings.audience];
    if (list.length === 0 || list.some((a) => typeof a !== 'string' || a.trim() === '')) {
      problem('audience', `expected one or more non-empty values for ${show(issuer)}`);
    }
    audiences = new Set(list as string[]);
  }
  let algorithms = defaults.algorithms;
  if (settings.algorithms !== undefined) {
    algorithms = [...settings.algorithms] as JwsAlgorithm[];
    if (algorithms.length === 0) problem('algorithms', `expected at least one algorithm for ${show(issuer)}`);
    for (const alg of algorithms) {
      if (
        !(SUPPORTED_ALGORITHMS as readonly string[]).includes(alg) ||
        (alg.startsWith('HS') && !defaults.hmacConfigured)
      ) {
        problem('algorithms', `${show(alg)} is not usable for ${show(issuer)}`);
      }
    }
  }
  return { issuer, audiences, algorithms, jwksUri };
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
