import { InvalidTokenError } from '../errors/bearer-token.errors.js';

/** What the time claims are checked against. */
export interface TimePolicy {
  /** Skew allowed on `exp`, `nbf` and `iat`, in seconds. */
  readonly clockToleranceSeconds: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/**
 * The one time rule (RFC 7519 §4.1.4-4.1.6, RFC 8725 §3.10): `exp` in the future, `nbf` and
 * `iat` not, each within the tolerance. `exp` is required when `requireExp` (a JWT), and
 * checked when present otherwise (an introspection response, a cached verification).
 * @throws InvalidTokenError `token_expired`, `token_not_yet_valid` or `token_malformed`.
 */
export function checkTimes(claims: Readonly<Record<string, unknown>>, policy: TimePolicy, requireExp: boolean): void {
  const { exp, nbf, iat } = claims;
  const now = policy.clock() / 1000;
  const tolerance = policy.clockToleranceSeconds;
  if (exp !== undefined || requireExp) {
    if (!isNumericDate(exp))
      throw new InvalidTokenError('token exp claim is missing or not a number', 'token_malformed');
    if (now >= exp + tolerance) throw new InvalidTokenError('token expired', 'token_expired');
  }
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw new InvalidTokenError('token nbf claim is not a number', 'token_malformed');
    if (nbf > now + tolerance) throw new InvalidTokenError('token is not valid yet', 'token_not_yet_valid');
  }
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw new InvalidTokenError('token iat claim is not a number', 'token_malformed');
    if (iat > now + tolerance) throw new InvalidTokenError('token was issued in the future', 'token_not_yet_valid');
  }
}

/**
 * Milliseconds a verification may still be reused: `ttlSeconds`, cut where `exp` (with
 * the tolerance) ends the token. Zero or less: not at all.
 */
export function reusableForMs(
  claims: Readonly<Record<string, unknown>>,
  ttlSeconds: number,
  policy: TimePolicy,
): number {
  const ttlMs = ttlSeconds * 1000;
  const { exp } = claims;
  if (!isNumericDate(exp)) return ttlMs;
  return Math.min(ttlMs, Math.floor((exp + policy.clockToleranceSeconds) * 1000 - policy.clock()));
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
