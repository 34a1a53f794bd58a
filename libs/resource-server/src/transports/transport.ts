import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { nodeRequestOf } from '../extraction/bearer-token-resolver.js';
import type { RequestWithToken } from './verified-request.js';

/**
 * Where the guard finds the token, and where it leaves the verified one, for one kind of
 * Nest execution context (`context.getType()`): `http`, `graphql`, `ws`, `rpc`. The guard,
 * the route rules and the claim decorators are the same for all; only this differs.
 */
export interface Transport {
  /**
   * The object the verified token is attached to and read from: the HTTP request, the
   * request of a GraphQL operation, a WebSocket connection. Undefined: none here (refused).
   */
  holderOf(context: ExecutionContext): RequestWithToken | undefined;
  /**
   * The request whose token the guard verifies when the holder carries none yet (the HTTP
   * request, the WebSocket handshake). Undefined: only a token already verified counts.
   */
  requestOf(context: ExecutionContext): IncomingMessage | undefined;
  /**
   * Whether a token already verified on the holder is used again instead of verified again:
   * once per GraphQL operation (not per field), once per WebSocket connection. Its times are
   * checked again on every use, so an expired token stops working mid-connection.
   */
  readonly reusesVerifiedToken: boolean;
}

/** HTTP on Express or Fastify: the request holds the token and the verified claims. */
export const httpTransport: Transport = {
  holderOf: (context) => context.switchToHttp().getRequest<RequestWithToken>(),
  requestOf: (context) => nodeRequestOf(context.switchToHttp().getRequest<object>()),
  reusesVerifiedToken: false,
};
