import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { checkTimes, type TimePolicy } from './time-rules.js';

/** What the registered claims are checked against. */
export interface RegisteredClaimsPolicy extends TimePolicy {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  /** Matched against `audiences` when the token has no `aud` (Cognito access tokens: `client_id`). */
  readonly audienceFallbackClaim?: string;
  /** A provider's rules on its access tokens, checked after the id-token markers. */
  readonly claimRules?: readonly ClaimRule[];
}

/** A claim a token must carry with one value, or carry with it when present (`whenPresent`). */
export interface ClaimRule {
  readonly claim: string;
  readonly equals: string;
  readonly whenPresent?: boolean;
}

/**
 * Checks the claims every verifier shares, in the contract's order: `exp`/`nbf`/`iat`
 * (RFC 7519 §4.1, one time rule), `iss`, `aud` (RFC 8725 §3.8-3.9), then the id-token markers
 * (an id token never opens an API, whatever its `aud`). A JWT must carry `iss` and `exp`
 * (`required`); an introspection response is checked on what it has (RFC 7662 §2.2).
 * @throws InvalidTokenError naming the first rule that failed.
 */
export function validateRegisteredClaims(
  claims: unknown,
  policy: RegisteredClaimsPolicy,
  required: boolean,
): asserts claims is AccessTokenClaims {
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new InvalidTokenError('token claims are not a JSON object', 'token_malformed');
  }
  const record = claims as Record<string, unknown>;
  checkTimes(record, policy, required);
  const { iss, aud } = record;
  if (iss !== undefined || required) {
    if (iss !== policy.issuer) throw new InvalidTokenError('token issuer is not accepted', 'issuer_mismatch');
  }
  const audience = aud === undefined && policy.audienceFallbackClaim ? record[policy.audienceFallbackClaim] : aud;
  if (!hasAudience(audience, policy.audiences)) {
    throw new InvalidTokenError('token audience is not accepted', 'audience_mismatch');
  }
  if (isIdToken(record)) {
    throw new InvalidTokenError('an id token is not an access token', 'token_type_not_accepted');
  }
  if (policy.claimRules) checkClaimRules(record, policy.claimRules);
}

/** Each rule holds: the claim equals its value (or, `whenPresent`, is absent). */
function checkClaimRules(claims: Readonly<Record<string, unknown>>, rules: readonly ClaimRule[]): void {
  for (const rule of rules) {
    const value = claims[rule.claim];
    if (value === undefined && rule.whenPresent) continue;
    if (value !== rule.equals) {
      throw new InvalidTokenError(`token ${rule.claim} is not ${rule.equals}`, 'token_type_not_accepted');
    }
  }
}

/** True when `aud` (a string, or an array of strings) holds one of `accepted`. */
export function hasAudience(aud: unknown, accepted: ReadonlySet<string>): boolean {
  if (typeof aud === 'string') return accepted.has(aud);
  if (!Array.isArray(aud)) return false;
  return aud.some((value) => typeof value === 'string' && accepted.has(value));
}

/**
 * The markers of an OpenID Connect id token (OIDC Core §2, §3.1.3.6, §3.3.2.11; FAPI's
 * `s_hash`), and the `token_use`/`typ` claims some providers add. An authorization server
 * such as FusionAuth gives id and access tokens the same `aud`, so the audience check alone
 * cannot keep an id token out.
 */
export function isIdToken(claims: Readonly<Record<string, unknown>>): boolean {
  if (claims.at_hash !== undefined || claims.c_hash !== undefined || claims.s_hash !== undefined) return true;
  if (
    claims.nonce !== undefined &&
    claims.scope === undefined &&
    claims.scp === undefined &&
    claims.client_id === undefined
  ) {
    return true;
  }
  if (claims.token_use !== undefined && claims.token_use !== 'access') return true;
  return typeof claims.typ === 'string' && claims.typ.toLowerCase() === 'id';
}
