import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims, VerifiedToken } from '../../claims/access-token-claims.js';
import { transportOf } from '../../transports/transports.js';
import { verifiedTokenOfRequest } from '../../transports/verified-request.js';

/** @internal The token the guard verified for this request (operation, connection), if any. */
export function verifiedTokenOf(context: ExecutionContext): VerifiedToken | undefined {
  const holder = transportOf(context.getType())?.holderOf(context);
  return holder && verifiedTokenOfRequest(holder);
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
