/** How {@link stepUpClaims} describes the user's authentication. */
export interface StepUpClaimsOptions {
  /** The `acr` claim. Default: `mfa`. */
  readonly acr?: string;
  /** How long ago the user authenticated, in seconds: `auth_time` is now minus this. Default: 0. */
  readonly authenticatedSecondsAgo?: number;
  /** The clock `auth_time` is counted from, in milliseconds. Default: `Date.now`. */
  readonly clock?: () => number;
}

/**
 * The claims of RFC 9470 step-up, `acr` and `auth_time`, to spread into a token's claims.
 * @example
 * issuer.token({ claims: { scope: 'todo:write', ...stepUpClaims({ authenticatedSecondsAgo: 600 }) } });
 */
export function stepUpClaims(options: StepUpClaimsOptions = {}): { acr: string; auth_time: number } {
  const now = Math.floor((options.clock ?? Date.now)() / 1000);
  return { acr: options.acr ?? 'mfa', auth_time: now - (options.authenticatedSecondsAgo ?? 0) };
}
