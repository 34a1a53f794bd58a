import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedToken } from '../claims/access-token-claims.js';

/**
 * Turns a token into verified claims, whichever strategy does it. The guard sees only this.
 * @throws BearerTokenError or AuthorizationServerUnavailableError
 */
export interface TokenVerifier {
  verify(token: string, request: IncomingMessage, response: ServerResponse): Promise<VerifiedToken>;
  /**
   * A verification of this very token that is still valid, answered at once (no promise);
   * `undefined` when there is none and `verify()` must run. Optional: for verifiers with a cache.
   */
  verifyCached?(token: string): VerifiedToken | undefined;
}

/** Injection token of the {@link TokenVerifier} in use. */
export const TokenVerifier = Symbol.for('nest-resource-server.TokenVerifier');
