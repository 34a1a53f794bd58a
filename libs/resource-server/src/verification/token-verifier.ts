import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifiedToken } from '../claims/access-token-claims.js';

/**
 * Turns a token into verified claims, whichever strategy does it. The guard sees only this.
 * @throws BearerTokenError or AuthorizationServerUnavailableError
 */
export interface TokenVerifier {
  verify(token: string, request: IncomingMessage, response: ServerResponse): Promise<VerifiedToken>;
}

/** Injection token of the {@link TokenVerifier} in use. */
export const TokenVerifier = Symbol('TokenVerifier');
