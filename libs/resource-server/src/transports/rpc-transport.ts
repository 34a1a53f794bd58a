import type { IncomingMessage } from 'node:http';
import type { ArgumentsHost, ExecutionContext } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { InvalidRequestError } from '../errors/bearer-token.errors.js';
import type { Rejection, RejectionWriter } from '../errors/rejection.js';
import type { Transport } from './transport.js';
import { rejectionPayloadOf } from './rejection-payload.js';
import type { RequestWithToken } from './verified-request.js';

/**
 * A message of `@nestjs/microservices` that carries a token: its payload is the envelope
 * `{ authorization: 'Bearer <token>', data }` and the handler reads `@Payload('data')`.
 * Works on every transport, TCP included (which has no metadata).
 */
export interface TokenEnvelope<T = unknown> {
  /** `Bearer <token>`, as the HTTP `Authorization` header (RFC 6750 §2.1). */
  readonly authorization: string;
  readonly data: T;
}

/** The envelope a client sends: `client.send(pattern, withAccessToken(token, data))`. */
export function withAccessToken<T>(token: string, data: T): TokenEnvelope<T> {
  return { authorization: `Bearer ${token}`, data };
}

/** The message's pattern, for the log line and the verification events. */
function patternOf(context: ArgumentsHost): string {
  const rpc = context.switchToRpc().getContext<{ getPattern?(): unknown } | undefined>();
  const pattern = rpc?.getPattern?.();
  return typeof pattern === 'string' ? pattern : 'message';
}

/**
 * The envelope seen as an HTTP request with one `Authorization` header, so that the token
 * goes through the same resolver (scheme, `b64token` syntax) and verifier as HTTP. A payload
 * without `authorization` carries no token (401 `token_missing`).
 */
function envelopeRequest(context: ExecutionContext): IncomingMessage {
  const data = context.switchToRpc().getData<unknown>();
  const authorization =
    typeof data === 'object' && data !== null ? (data as { authorization?: unknown }).authorization : undefined;
  if (authorization !== undefined && typeof authorization !== 'string') {
    throw new InvalidRequestError('authorization must be a string', 'bad_header');
  }
  const headers = authorization === undefined ? {} : { authorization };
  const request = { method: 'RPC', url: patternOf(context), headers, rawHeaders: Object.entries(headers).flat() };
  return request as unknown as IncomingMessage;
}

/**
 * Microservice messages: the token comes from the payload's envelope and is verified for
 * each message (no connection to keep it on); the verified token is left on the message's
 * own context object (`TcpContext`, …), never on the client-sent payload.
 * @internal
 */
export const rpcTransport: Transport = {
  holderOf: (context) => {
    const holder = context.switchToRpc().getContext<RequestWithToken | undefined>();
    return typeof holder === 'object' && holder !== null ? holder : undefined;
  },
  requestOf: envelopeRequest,
  reusesVerifiedToken: false,
};

/**
 * A refused message is answered with an RPC error whose value is the rejection's payload
 * (`{ status: 401, reason: 'token_missing', message, … }`), as an `RpcException` with an
 * object would be: the client's observable errors with that object.
 * @internal
 */
export const rpcRejectionWriter: RejectionWriter = {
  describe: (host) => ({ method: 'RPC', url: patternOf(host) }),
  write: (rejection: Rejection): Observable<never> => {
    const payload = rejectionPayloadOf(rejection);
    return throwError(() => payload);
  },
};
