import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';

/** Where the guard leaves the verified token for the param decorators. @internal */
export const VERIFIED_TOKEN = Symbol.for('nest-resource-server.verifiedToken');

/** Where a verification still under way, or one that failed, waits for the next field of the same operation. @internal */
export const VERIFICATION = Symbol.for('nest-resource-server.verification');

/** A platform's request object (Express or Fastify) once the guard has admitted it. @internal */
export interface RequestWithToken {
  user?: AccessTokenClaims;
  [VERIFIED_TOKEN]?: VerifiedToken;
  /** Reusing transports only (a GraphQL operation): the verification of the holder's token, pending or failed. */
  [VERIFICATION]?: Promise<VerifiedToken> | { readonly failed: unknown };
}

/** Leaves the verified token for `@Claims()`, `@Claim()`, `@AccessToken()` and `request.user`. @internal */
export function attachVerifiedToken(request: RequestWithToken, verified: VerifiedToken): void {
  request[VERIFIED_TOKEN] = verified;
  request.user = verified.claims;
}

/** The token the guard verified for this request, if any. @internal */
export function verifiedTokenOfRequest(request: RequestWithToken): VerifiedToken | undefined {
  return request[VERIFIED_TOKEN];
}
