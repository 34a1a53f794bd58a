/**
 * The verified claims of an access token, whichever strategy produced them: the JWT's
 * payload, or the RFC 7662 introspection response. Only fields RFC 7519, RFC 7662 and
 * RFC 9068 name are typed; everything else is `unknown` until the app checks it.
 */
export interface AccessTokenClaims {
  /** Issuer (RFC 7519 §4.1.1); always present on a JWT. */
  readonly iss?: string;
  /** Subject: the user, or the client for a client-credentials token. */
  readonly sub?: string;
  /** Audience: one value or several. */
  readonly aud?: string | readonly string[];
  /** Expiry, seconds since the epoch; always present on a JWT. */
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  /** Space-separated scopes (RFC 8693 §4.2, RFC 9068). */
  readonly scope?: string;
  /** Scopes as an array or string (common in Microsoft and Okta tokens). */
  readonly scp?: string | readonly string[];
  readonly client_id?: string;
  readonly [claim: string]: unknown;
}

/** What a verifier hands the guard: the token and its verified claims. */
export interface VerifiedToken {
  /** The raw access token, for forwarding to another API. */
  readonly token: string;
  readonly claims: AccessTokenClaims;
  /** Which verifier vouched for it: `jwt`, `introspection`, or a custom verifier's name. */
  readonly strategy: 'jwt' | 'introspection' | (string & {});
}
