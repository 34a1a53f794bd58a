import type { ResolvedOptions } from '../config/resource-server-options.js';
import type { RejectionReason } from '../errors/rejection-reason.js';

/** What the operator (or the client) should change, per refusal reason. Never the token or a secret. */
export function adviceFor(
  reason: RejectionReason,
  options: ResolvedOptions,
  claims: Readonly<Record<string, unknown>> | undefined,
): string {
  const audiences = [...options.audiences].join(',');
  switch (reason) {
    case 'token_malformed':
      return 'not a compact JWS with a JSON header and payload (and exp): send the access token itself, unmodified';
    case 'algorithm_not_allowed':
      return `alg must be one of OAUTH_ALGORITHMS (${options.algorithms.join(',')}), fit its key, never none; HS* needs OAUTH_HMAC_SECRET`;
    case 'key_unknown':
      return 'no key in the JWKS for this kid (or no kid): the token comes from another issuer or a retired key; check OAUTH_ISSUER / OAUTH_JWKS_URI';
    case 'signature_invalid':
      return 'the signature does not verify with the key of its kid: the token was altered, or signed by another server with the same kid';
    case 'token_expired':
      return 'the token is past exp (plus the clock tolerance): the client refreshes it';
    case 'token_not_yet_valid':
      return "nbf or iat is ahead of this machine's clock beyond the tolerance: fix the clocks (NTP) or raise OAUTH_CLOCK_TOLERANCE";
    case 'issuer_mismatch':
      return `iss ${JSON.stringify(claims?.iss)} is not OAUTH_ISSUER ${JSON.stringify(options.issuers.length > 1 ? options.issuers.map((i) => i.issuer).join(',') : options.issuer)} (exact match, trailing slash included): set OAUTH_ISSUER to the server that issued it`;
    case 'audience_mismatch':
      return `aud ${JSON.stringify(claims?.aud)} holds none of OAUTH_AUDIENCE (${audiences}): ask for a token for this API (audience/resource), or add its aud to OAUTH_AUDIENCE`;
    case 'token_type_not_accepted':
      return 'an id token or a typ that is not an access token (at_hash/c_hash/s_hash, nonce alone, token_use, typ; or token_type): send the access token';
    case 'token_inactive':
      return 'the authorization server says active: false (revoked, expired, or not issued by it)';
    case 'scope_missing':
      return options.claimSources
        ? `the scopes the ${options.provider} preset reads lack one: ask for it at login`
        : `the token's scopes (${JSON.stringify(claims?.scope ?? claims?.scp ?? null)}) lack one: ask for it at login`;
    case 'role_missing':
      return options.claimSources
        ? `the roles the ${options.provider} preset reads (${options.claimSources.roles.map(showPath).join(', ') || 'none: set OAUTH_ROLES_CLAIM'}) hold none of them: grant the role, or set OAUTH_ROLES_CLAIM`
        : `the roles claim (${options.rolesClaim}) holds none of them: grant the role, or set OAUTH_ROLES_CLAIM`;
    case 'token_bound':
      return 'a sender-constrained token (cnf) needs its proof';
    default:
      return reason;
  }
}

function showPath(path: string | readonly string[]): string {
  return typeof path === 'string' ? path : path.join('.');
}

/** What proof a bound token (`cnf`, RFC 7800) needs. */
export function boundTokenAdvice(cnf: unknown): string {
  const binding = cnf !== null && typeof cnf === 'object' ? (cnf as Record<string, unknown>) : {};
  if (typeof binding.jkt === 'string') {
    return 'bound to a DPoP key (cnf.jkt, RFC 9449): send it as "Authorization: DPoP <token>" with a DPoP proof signed by that key (OAUTH_DPOP=allowed or required)';
  }
  if (typeof binding['x5t#S256'] === 'string') {
    return 'bound to a client certificate (cnf.x5t#S256, RFC 8705): send it over mutual TLS with that certificate (OAUTH_MTLS=true)';
  }
  return 'bound by a cnf this server cannot check: it is refused as a plain bearer token';
}

/** exp, nbf and iat against this machine's clock, with the tolerance and the skew they show. */
export function describeTimes(claims: Readonly<Record<string, unknown>>, options: ResolvedOptions): string {
  const now = options.clock() / 1000;
  const parts: string[] = [];
  const { exp, nbf, iat } = claims;
  if (typeof exp === 'number') parts.push(exp > now ? `exp in ${span(exp - now)}` : `exp ${span(now - exp)} ago`);
  else parts.push('no exp');
  if (typeof nbf === 'number') parts.push(nbf > now ? `nbf in ${span(nbf - now)}` : `nbf ${span(now - nbf)} ago`);
  if (typeof iat === 'number') {
    parts.push(iat > now ? `iat ${span(iat - now)} ahead of this clock` : `iat ${span(now - iat)} ago`);
  }
  parts.push(`clock tolerance ${options.clockToleranceSeconds} s`);
  if (typeof iat === 'number' && iat > now) {
    parts.push(`the issuer's clock looks ${span(iat - now)} ahead of this machine's`);
  }
  return parts.join(', ');
}

function span(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}
