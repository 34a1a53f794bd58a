import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import type { TimePolicy } from '../claims/time-rules.js';
import { InsufficientUserAuthenticationError } from '../errors/insufficient-user-authentication.error.js';

/** What a route asks of the user's authentication (RFC 9470): its `acr`, its age. */
export interface AuthenticationRequirement {
  /** Acceptable `acr` values, in order of preference; the token's `acr` must be one. */
  readonly acr?: readonly string[];
  /** Largest age of the authentication (`auth_time`), in seconds, plus the clock tolerance. */
  readonly maxAgeSeconds?: number;
}

/**
 * Compiles a route's authentication requirements once into one check (RFC 9470 §3): every
 * `acr` list must hold the token's `acr`, and `auth_time` must be at most the smallest
 * `maxAgeSeconds` old (plus the clock tolerance; an `auth_time` in the future beyond it
 * counts as missing). Falling short throws `InsufficientUserAuthenticationError` naming
 * only what is at fault: `acr_values` for the `acr`, `max_age` for `auth_time`.
 * Returns undefined when the route asks nothing.
 */
export function compileStepUp(
  requirements: readonly AuthenticationRequirement[],
  time: Partial<TimePolicy> = {},
): ((claims: AccessTokenClaims) => void) | undefined {
  const acrLists = requirements.flatMap((r) => (r.acr && r.acr.length > 0 ? [r.acr] : []));
  const ages = requirements.flatMap((r) => (r.maxAgeSeconds === undefined ? [] : [r.maxAgeSeconds]));
  if (acrLists.length === 0 && ages.length === 0) return undefined;
  const maxAgeSeconds = ages.length > 0 ? Math.min(...ages) : undefined;
  const tolerance = time.clockToleranceSeconds ?? 0;
  const clock = time.clock ?? Date.now;
  return (claims) => {
    const acr = claims.acr;
    const wrongAcr = acrLists.find((accepted) => typeof acr !== 'string' || !accepted.includes(acr));
    let tooOld = false;
    if (maxAgeSeconds !== undefined) {
      const authTime = claims.auth_time;
      const now = clock() / 1000;
      tooOld =
        typeof authTime !== 'number' ||
        !Number.isFinite(authTime) ||
        now - authTime > maxAgeSeconds + tolerance ||
        authTime > now + tolerance;
    }
    if (!wrongAcr && !tooOld) return;
    const description = wrongAcr ? 'a stronger authentication is required' : 'a more recent authentication is required';
    throw new InsufficientUserAuthenticationError(
      description,
      wrongAcr ? wrongAcr.join(' ') : undefined,
      tooOld ? maxAgeSeconds : undefined,
    );
  };
}
