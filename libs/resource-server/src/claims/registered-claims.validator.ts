import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import type { AccessTokenClaims } from './access-token-claims.js';

/** What the registered claims are checked against. */
export interface RegisteredClaimsPolicy {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly clockToleranceSeconds: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/**
 * Checks `iss`, `aud`, `exp`, `nbf` and `iat` (RFC 7519 §4.1, RFC 8725 §3.8-3.9). The one
 * validator both strategies use: a JWT must carry `iss` and `exp` (`required`), an
 * introspection response is checked on what it has (RFC 7662 §2.2).
 * @throws InvalidTokenError naming the first rule that failed.
 */
export function validateRegisteredClaims(
  claims: unknown,
  policy: RegisteredClaimsPolicy,
  required: boolean,
): asserts claims is AccessTokenClaims {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new InvalidTokenError('token claims are not a JSON object', 'claims_not_object');
  }
  const { iss, aud, exp, nbf, iat } = claims as Record<string, unknown>;
  const now = policy.clock() / 1000;
  const tolerance = policy.clockToleranceSeconds;

  if (iss !== undefined || required) {
    if (iss !== policy.issuer) throw new InvalidTokenError('token issuer is not accepted', 'issuer_mismatch');
  }
  if (!hasAudience(aud, policy.audiences)) {
    throw new InvalidTokenError('token audience is not accepted', 'audience_mismatch');
  }
  if (exp !== undefined || required) {
    if (!isNumericDate(exp)) throw new InvalidTokenError('token exp claim is missing or not a number', 'exp_invalid');
    if (now >= exp + tolerance) throw new InvalidTokenError('token expired', 'token_expired');
  }
  if (nbf !== undefined) {
    if (!isNumericDate(nbf)) throw new InvalidTokenError('token nbf claim is not a number', 'nbf_invalid');
    if (nbf > now + tolerance) throw new InvalidTokenError('token is not valid yet', 'token_not_yet_valid');
  }
  if (iat !== undefined) {
    if (!isNumericDate(iat)) throw new InvalidTokenError('token iat claim is not a number', 'iat_invalid');
    if (iat > now + tolerance) throw new InvalidTokenError('token was issued in the future', 'iat_in_future');
  }
}

/** True when `aud` (a string, or an array of strings) holds one of `accepted`. */
export function hasAudience(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud)) return false;
  return aud.some((value) => typeof value === 'string' && accepted.has(value));
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
