import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';

/** Where the guard leaves the verified token for the param decorators. @internal */
export const VERIFIED_TOKEN = Symbol.for('nest-resource-server.verifiedToken');

/** A platform's request object (Express or Fastify) once the guard has admitted it. @internal */
export interface RequestWithToken {
  user?: AccessTokenClaims;
  [VERIFIED_TOKEN]?: VerifiedToken;
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
