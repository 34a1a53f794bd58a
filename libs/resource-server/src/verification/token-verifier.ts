import type { VerifiedToken } from '../claims/access-token-claims.js';
import type { TokenSource } from '../extraction/bearer-token-resolver.js';

/**
 * What a verifier may know of the request besides the token: plain values, never the
 * request or response objects, so a verifier is the same on every platform and in a test.
 */
export interface VerificationContext {
  /** Where the token was found (RFC 6750 §2.1 header, or the cookie). */
  readonly source: TokenSource;
  /** The request's method, upper case. */
  readonly method: string;
  /** The request's target as received (path and query). */
  readonly url: string;
  /** The `Authorization` scheme the token came with; undefined for `bearer` (and the cookie). */
  readonly scheme?: 'bearer' | 'dpop';
  /** The request's `DPoP` proof (RFC 9449 §4), when the scheme is `dpop`. */
  readonly dpopProof?: string;
  /** The request's `Host` header, to rebuild a proof's `htu`. */
  readonly host?: string;
  /**
   * Base64url SHA-256 of the DER of the client certificate (RFC 8705 §3.1, as `cnf.x5t#S256`
   * holds it): the TLS connection's, or one forwarded by a trusted proxy. Undefined without
   * one, or when certificate-bound tokens are off.
   */
  readonly clientCertificateThumbprint?: string;
}

/**
 * Turns a token into verified claims, or throws a `BearerTokenError` (the token's fault) or
 * an `AuthorizationServerUnavailableError` (the server's). The guard sees only this.
 * An answer already in memory is returned as it is, without a promise; a cache is a
 * `TokenVerifier` that wraps another.
 *
 * @example
 * class ApiKeyVerifier implements TokenVerifier {
 *   verify(token: string): VerifiedToken {
 *     if (token !== process.env.API_KEY) throw new InvalidTokenError('unknown key', 'signature_invalid');
 *     return { token, claims: { sub: 'service' }, strategy: 'api-key' };
 *   }
 * }
 */
export interface TokenVerifier {
  verify(token: string, context: VerificationContext): VerifiedToken | Promise<VerifiedToken>;
}

/** Injection token of the {@link TokenVerifier} in use. */
export const TokenVerifier = Symbol.for('nest-resource-server.TokenVerifier');

/**
 * True when a verifier (or an introspector, or a cache) answered with a promise rather than
 * at once. Any thenable counts: an extension may use another promise library. @internal
 */
export function isPending<T>(answer: T | PromiseLike<T>): answer is PromiseLike<T> {
  return typeof (answer as { then?: unknown } | null)?.then === 'function';
}

/**
 * Continues with `next` at once when `answer` is already there, or once it settles: a
 * verifier, introspector or cache that answers from memory costs no promise on the request
 * path, and one that throws at once still throws at once. @internal
 */
export function whenAnswered<T, R>(answer: T | PromiseLike<T>, next: (value: T) => R): R | Promise<Awaited<R>> {
  return isPending(answer) ? (Promise.resolve(answer).then(next) as Promise<Awaited<R>>) : next(answer);
}
