import type { Rejection } from '../errors/rejection.js';

/**
 * What a client outside HTTP is told of a refusal, in Nest's in-band convention (a WebSocket
 * `exception` event's data, an RPC error): the status the HTTP answer would have had, a
 * `message`, and the body's `error`, `error_description`, `reason` and `scope`. No
 * `WWW-Authenticate`: there is no header to carry it.
 */
export interface RejectionPayload {
  readonly status: number;
  readonly message: string;
  readonly reason: string;
  readonly error?: string;
  readonly error_description?: string;
  readonly scope?: string;
}

/** The {@link RejectionPayload} of a rejection the filter decided. @internal */
export function rejectionPayloadOf(rejection: Rejection): RejectionPayload {
  const { statusCode: _statusCode, ...fields } = rejection.body as Record<string, unknown> & { statusCode?: number };
  const message = fields.error_description ?? fields.message ?? fields.error ?? 'rejected';
  return { ...fields, status: rejection.status, message: String(message), reason: rejection.reason };
}
