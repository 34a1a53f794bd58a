import type { BearerTokenError } from './bearer-token.errors.js';
import { formatWwwAuthenticate, toQuotableText, type ChallengeExtras } from './www-authenticate.js';

/** What the error writer needs to know of DPoP (RFC 9449) when it is on. */
export interface DpopChallengePolicy {
  /** `allowed`: 401s carry a `Bearer` and a `DPoP` challenge; `required`: only `DPoP`. */
  readonly mode: 'allowed' | 'required';
  /** Proof algorithms, for the `algs` parameter (RFC 9449 §7.1). */
  readonly algorithms: readonly string[];
}

/** Injection token of the {@link DpopChallengePolicy}; absent while DPoP is off. @internal */
export const DpopChallengePolicy = Symbol.for('nest-resource-server.DpopChallengePolicy');

/** Where a request's `Authorization` scheme is left for the error writer. @internal */
export const AUTHORIZATION_SCHEME = Symbol.for('nest-resource-server.authorizationScheme');

/** Marks a request (Node's own) as using the `DPoP` scheme, for the challenge. @internal */
export function markDpopScheme(request: object): void {
  (request as { [AUTHORIZATION_SCHEME]?: string })[AUTHORIZATION_SCHEME] = 'dpop';
}

/** True when the request (the platform's, or Node's own) used the `DPoP` scheme. @internal */
export function usedDpopScheme(request: object): boolean {
  const node = (request as { raw?: object }).raw ?? request;
  return (node as { [AUTHORIZATION_SCHEME]?: string })[AUTHORIZATION_SCHEME] === 'dpop';
}

const DPOP_CODES = new Set(['invalid_dpop_proof', 'use_dpop_nonce']);

/**
 * The `WWW-Authenticate` value while DPoP is on (RFC 9449 §7.1, §7.2). The error goes in the
 * challenge of the scheme it is about: `DPoP` for a request that used it, for a proof error,
 * and for `dpop_required`; `Bearer` otherwise. A 401 under `allowed` carries both challenges,
 * the one holding the error first; under `required` only `DPoP` is offered.
 * @param bearer the `Bearer` challenge as `formatWwwAuthenticate()` wrote it for this error.
 */
export function formatDpopChallenges(
  realm: string,
  error: BearerTokenError,
  policy: DpopChallengePolicy,
  dpopScheme: boolean,
  bearer: string = formatWwwAuthenticate(realm, error),
  extras: ChallengeExtras = {},
): string {
  const aboutDpop =
    dpopScheme || policy.mode === 'required' || DPOP_CODES.has(error.code ?? '') || error.reason === 'dpop_required';
  const dpop = dpopChallenge(realm, aboutDpop ? error : undefined, policy.algorithms, error.status, extras);
  if (policy.mode === 'required') return dpop;
  if (!aboutDpop) return error.status === 401 ? `${bearer}, ${dpop}` : bearer;
  return error.status === 401 ? `${dpop}, ${formatWwwAuthenticate(realm, undefined, extras)}` : dpop;
}

function dpopChallenge(
  realm: string,
  error: BearerTokenError | undefined,
  algorithms: readonly string[],
  status: number,
  extras: ChallengeExtras,
): string {
  const params: [string, string][] = [['realm', realm]];
  if (error?.code) {
    params.push(['error', error.code]);
    const scope = (error as { scope?: string }).scope;
    // as the contract shows them: invalid_request and invalid_dpop_proof carry no description
    const quiet = error.code === 'invalid_request' || error.code === 'invalid_dpop_proof' || scope;
    if (error.description && !quiet) params.push(['error_description', error.description]);
    if (scope) params.push(['scope', scope]);
    // step-up (RFC 9470) under the DPoP scheme
    const { acrValues } = error as { acrValues?: string };
    if (acrValues) params.push(['acr_values', acrValues]);
  }
  params.push(['algs', algorithms.join(' ')]);
  const maxAge = (error as { maxAgeSeconds?: number } | undefined)?.maxAgeSeconds;
  // RFC 9728 §5.1: every 401 points the client at the protected resource metadata
  if (extras.resourceMetadata && status === 401) params.push(['resource_metadata', extras.resourceMetadata]);
  return (
    'DPoP ' +
    [
      ...params.map(([name, value]) => `${name}="${toQuotableText(value)}"`),
      ...(maxAge !== undefined ? [`max_age=${Math.max(0, Math.floor(maxAge))}`] : []),
    ].join(', ')
  );
}
