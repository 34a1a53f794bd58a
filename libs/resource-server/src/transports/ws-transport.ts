import type { ExecutionContext } from '@nestjs/common';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import type { Rejection, RejectionWriter } from '../errors/rejection.js';
import type { Transport } from './transport.js';
import { rejectionPayloadOf, type RejectionPayload } from './rejection-payload.js';
import { verifiedTokenOfRequest, type RequestWithToken } from './verified-request.js';

/**
 * Close code of a WebSocket whose token no longer opens it: expired, or refused as a 401 on a
 * message (RFC 6455 §7.4.2 leaves 4000-4999 to applications; 4401 mirrors HTTP 401). The
 * close reason is the rejection's `reason`, such as `token_expired`.
 */
export const TOKEN_REJECTED_CLOSE_CODE = 4401;

/** A `ws` WebSocket or a socket.io `Socket`: what both give a gateway as its client. */
export interface WebSocketClient {
  /** socket.io's `Socket`: an event to the client. A `ws` WebSocket's is local only. */
  emit?(event: string, ...args: unknown[]): unknown;
  /** socket.io's `Socket`: leaves the namespace; `true` closes the connection. */
  disconnect?(close?: boolean): unknown;
  /** `ws`: sends a frame. */
  send?(data: string): void;
  /** `ws`: closes with a code and a reason. */
  close?(code?: number, reason?: string): void;
  /** `ws`: 0-3 (socket.io's `Socket` has none). */
  readonly readyState?: number;
}

const OPEN = 1;

/**
 * WebSocket gateways (`@nestjs/websockets`, `ws` or socket.io): the connection holds the
 * token verified once at its handshake (by `ResourceServerWsAdapter` or
 * `ResourceServerIoAdapter`), used again by every message with its times checked anew. A
 * connection that no adapter verified has no token: its non-`@Public()` messages are refused
 * (`token_missing`). The handshake itself is never verified here: its cookie would need the
 * Origin rule, which the adapters apply and a message cannot.
 * @internal
 */
export const wsTransport: Transport = {
  holderOf: (context: ExecutionContext) => context.switchToWs().getClient<RequestWithToken | undefined>() ?? undefined,
  requestOf: () => undefined,
  reusesVerifiedToken: true,
};

/**
 * The token verified at the connection's handshake, if any: for `handleConnection()` and
 * other code that has the client but no decorated handler.
 */
export function verifiedTokenOfConnection(client: object): VerifiedToken | undefined {
  return verifiedTokenOfRequest(client as RequestWithToken);
}

/** The claims of the token verified at the connection's handshake, if any. */
export function claimsOfConnection(client: object): AccessTokenClaims | undefined {
  return verifiedTokenOfConnection(client)?.claims;
}

/**
 * Tells the client why its token is refused, in-band: an `exception` event with the
 * {@link RejectionPayload} (socket.io: `socket.emit('exception', data)`; `ws`: the frame
 * `{"event":"exception","data":…}`, Nest's `WsException` convention). A 401 means the
 * connection's token no longer opens it, so the connection is then closed (`ws`: code
 * {@link TOKEN_REJECTED_CLOSE_CODE} with the reason; socket.io: disconnected).
 * @internal
 */
export function answerInBand(client: WebSocketClient, payload: RejectionPayload): void {
  const native = typeof client.readyState === 'number' && typeof client.send === 'function';
  if (native) {
    if (client.readyState !== OPEN) return;
    client.send!(JSON.stringify({ event: 'exception', data: payload }));
    if (payload.status === 401) client.close?.(TOKEN_REJECTED_CLOSE_CODE, payload.reason);
    return;
  }
  client.emit?.('exception', payload);
  if (payload.status === 401) client.disconnect?.(true);
}

/**
 * A message refused by the guard (`@UseFilters(BearerErrorFilter)` on the gateway: Nest
 * applies no global filter to gateways), answered in-band by {@link answerInBand}.
 * @internal
 */
export const wsRejectionWriter: RejectionWriter = {
  describe: (host) => {
    const ws = host.switchToWs();
    return { method: 'WS', url: String(ws.getPattern?.() ?? 'message') };
  },
  write: (rejection: Rejection, host) => {
    const client = host.switchToWs().getClient<WebSocketClient | undefined>();
    if (client) answerInBand(client, rejectionPayloadOf(rejection));
    return undefined;
  },
};
