import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { checkTimes, type TimePolicy } from './time-rules.js';

/** What the registered claims are checked against. */
export interface RegisteredClaimsPolicy extends TimePolicy {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
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
  if (!hasAudience(aud, policy.audiences)) {
    throw new InvalidTokenError('token audience is not accepted', 'audience_mismatch');
  }
  if (isIdToken(record)) {
    throw new InvalidTokenError('an id token is not an access token', 'token_type_not_accepted');
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
