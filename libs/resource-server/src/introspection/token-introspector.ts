/**
 * An RFC 7662 §2.2 introspection response: `active` and, when active, the token's claims.
 */
export interface IntrospectionResponse {
  readonly active: boolean;
  readonly [claim: string]: unknown;
}

/**
 * Turns an opaque token into what the authorization server knows of it.
 * @throws AuthorizationServerUnavailableError when the server cannot answer properly.
 */
export interface TokenIntrospector {
  introspect(token: string): Promise<IntrospectionResponse>;
  /** A result still held in memory for this token, at once; `undefined` when only `introspect()` can tell. */
  introspectCached?(token: string): IntrospectionResponse | undefined;
}

/** Injection token of the {@link TokenIntrospector} in use. */
export const TokenIntrospector = Symbol('TokenIntrospector');
