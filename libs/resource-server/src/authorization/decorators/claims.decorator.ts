import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims, VerifiedToken } from '../../claims/access-token-claims.js';
import { verifiedTokenOfRequest, type RequestWithToken } from '../verified-request.js';

/** @internal The token the guard verified for this request, if any. */
export function verifiedTokenOf(context: ExecutionContext): VerifiedToken | undefined {
  return verifiedTokenOfRequest(context.switchToHttp().getRequest<RequestWithToken>());
}

/**
 * The verified claims (undefined on a `@Public()` route).
 * @example
 * @Get('me')
 * me(@Claims() claims: AccessTokenClaims) { return claims; }
 */
export const Claims: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessTokenClaims | undefined => verifiedTokenOf(context)?.claims,
);

/**
 * One verified claim.
 * @example
 * list(@Claim('sub') userId: string) {}
 */
export const Claim: (name: string) => ParameterDecorator = createParamDecorator(
  (name: string, context: ExecutionContext): unknown => verifiedTokenOf(context)?.claims[name],
);

/**
 * The raw access token that was verified, for forwarding to another API.
 * @example
 * proxy(@AccessToken() token: string) { return fetch(url, { headers: { authorization: `Bearer ${token}` } }); }
 */
export const AccessToken: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => verifiedTokenOf(context)?.token,
);
