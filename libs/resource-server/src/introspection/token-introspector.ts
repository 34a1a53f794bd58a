/**
 * An RFC 7662 §2.2 introspection response: `active` and, when active, the token's claims.
 */
export interface IntrospectionResponse {
  readonly active: boolean;
  readonly [claim: string]: unknown;
}

/**
 * Turns an opaque token into what the authorization server knows of it; a result held in
 * memory is returned as it is, without a promise.
 * @throws AuthorizationServerUnavailableError when the server cannot answer properly.
 */
export interface TokenIntrospector {
  introspect(token: string): IntrospectionResponse | Promise<IntrospectionResponse>;
}

/** Injection token of the {@link TokenIntrospector} in use. */
export const TokenIntrospector = Symbol.for('nest-resource-server.TokenIntrospector');
