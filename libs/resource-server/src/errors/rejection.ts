import type { ArgumentsHost } from '@nestjs/common';

/** A refusal as the filter decided it, before a transport writes it. */
export interface Rejection {
  /** The HTTP status it stands for (400, 401, 403 or 503). */
  readonly status: number;
  /** `WWW-Authenticate`, `DPoP-Nonce`, `Retry-After`, `Cache-Control`: as an HTTP answer carries them. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body an HTTP client gets: `error`, `error_description`, `reason`, … */
  readonly body: Readonly<Record<string, unknown>>;
  readonly reason: string;
}

/**
 * Writes a rejection where the context is not plain HTTP: a GraphQL error, a WebSocket
 * message or close, an RPC error. What `write` returns is the filter's answer to Nest.
 */
export interface RejectionWriter {
  /** The HTTP request behind the context (or an object standing for it): method and path for the log line. */
  describe(host: ArgumentsHost): { readonly method?: string; readonly url?: string };
  write(rejection: Rejection, host: ArgumentsHost): unknown;
}

/** Injection token of the writers by `host.getType()` (`graphql`, `ws`, `rpc`). @internal */
export const RejectionWriters = Symbol.for('nest-resource-server.RejectionWriters');
export type RejectionWriters = Readonly<Record<string, RejectionWriter | undefined>>;
