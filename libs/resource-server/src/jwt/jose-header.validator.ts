import { isUtf8 } from 'node:buffer';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';

/** The protected header of a JWS, as far as this library reads it. */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

/** What the header is checked against. */
export interface JoseHeaderPolicy {
  readonly algorithms: readonly string[];
  /** Only then may a token without `kid` be accepted: HMAC with the configured secret. */
  readonly hmacConfigured: boolean;
  /** RFC 9068 §4: `typ` must be `at+jwt`. */
  readonly requireAccessTokenType: boolean;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ANY_JWT_TYPE = new Set(['jwt', 'at+jwt', 'application/at+jwt']);
const ACCESS_TOKEN_TYPE = new Set(['at+jwt', 'application/at+jwt']);
const MAX_KID_LENGTH = 1024;

/** True when the token has the JWS compact shape: three base64url segments (RFC 7515 §7.1). */
export function isJwsCompact(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && SEGMENT.test(parts[0]!) && SEGMENT.test(parts[1]!) && SEGMENT.test(parts[2]!);
}

/**
 * Decodes and checks the JOSE header before any key is looked up (RFC 8725 §3.1-3.2,
 * §3.11; RFC 7515 §4.1.11): the algorithm is on the allowlist (so `none` never is), no
 * `crit` extension we do not understand, an acceptable `typ`, and a usable `kid`.
 * Keys the token offers (`jwk`, `jku`, `x5u`, `x5c`) are never read. Each segment must be
 * canonical base64url (RFC 4648 §3.5), and header and payload UTF-8 (RFC 8725 §3.7).
 * @throws InvalidTokenError
 */
export function parseJoseHeader(token: string, policy: JoseHeaderPolicy): JoseHeader {
  const parts = token.split('.');
  // the signature may be empty here so that `alg: none` is refused for its algorithm
  if (
    parts.length !== 3 ||
    !SEGMENT.test(parts[0]!) ||
    !SEGMENT.test(parts[1]!) ||
    !/^[A-Za-z0-9_-]*$/.test(parts[2]!)
  ) {
    throw new InvalidTokenError('token is not a JWS in compact form', 'token_malformed');
  }
  // one spelling per signed token: a variant with other pad bits would verify too and slip
  // past anything keyed by the token string (a denylist, a cache, replay detection)
  if (!isCanonical(parts[0]!) || !isCanonical(parts[1]!) || !isCanonical(parts[2]!)) {
    throw new InvalidTokenError('token is not a JWS in compact form', 'token_malformed');
  }
  const headerBytes = Buffer.from(parts[0]!, 'base64url');
  const payloadBytes = Buffer.from(parts[1]!, 'base64url');
  // decoding would replace invalid bytes with U+FFFD, so distinct claims could compare equal
  if (!isUtf8(headerBytes)) throw new InvalidTokenError('token header is not UTF-8', 'token_malformed');
  if (!isUtf8(payloadBytes)) throw new InvalidTokenError('token payload is not UTF-8', 'token_malformed');
  let header: unknown;
  try {
    header = JSON.parse(headerBytes.toString('utf8'));
  } catch {
    throw new InvalidTokenError('token header is not JSON', 'token_malformed');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new InvalidTokenError('token header is not a JSON object', 'token_malformed');
  }
  const { alg, kid, typ, crit } = header as Record<string, unknown>;
  if (typeof alg !== 'string' || !policy.algorithms.includes(alg)) {
    throw new InvalidTokenError('token algorithm is not accepted', 'algorithm_not_allowed');
  }
  if (parts[2] === '') throw new InvalidTokenError('token is not signed', 'token_malformed');
  if (crit !== undefined) {
    throw new InvalidTokenError(
      'token has critical header parameters this server does not understand',
      'token_malformed',
    );
  }
  if (typ !== undefined) {
    const type = typeof typ === 'string' ? typ.toLowerCase() : undefined;
    const allowed = policy.requireAccessTokenType ? ACCESS_TOKEN_TYPE : ANY_JWT_TYPE;
    if (type === undefined || !allowed.has(type)) {
      throw new InvalidTokenError('token type (typ) is not an access token', 'token_type_not_accepted');
    }
  } else if (policy.requireAccessTokenType) {
    throw new InvalidTokenError('token type (typ) must be at+jwt', 'token_type_not_accepted');
  }
  const hmac = alg.startsWith('HS');
  if (kid === undefined) {
    if (!(hmac && policy.hmacConfigured)) throw new InvalidTokenError('token has no key id (kid)', 'key_unknown');
  } else if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) {
    throw new InvalidTokenError('token key id (kid) is not a usable string', 'key_unknown');
  }
  return header as JoseHeader;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * True when a segment of base64url characters is the one encoding of its bytes (RFC 4648
 * §3.5): no dangling character, and the bits the last character carries beyond the final
 * byte are zero. The same answer as decoding and encoding again, without either.
 */
export function isCanonical(segment: string): boolean {
  const tail = segment.length % 4;
  if (tail === 0) return true;
  if (tail === 1) return false;
  const last = BASE64URL.indexOf(segment[segment.length - 1]!);
  return (last & (tail === 2 ? 0b1111 : 0b11)) === 0;
}
