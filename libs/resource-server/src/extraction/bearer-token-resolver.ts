import type { IncomingMessage } from 'node:http';

/** Where a resolved token came from. */
export type TokenSource = 'header' | 'cookie';

/** A token found on a request. */
export interface ResolvedToken {
  readonly token: string;
  readonly source: TokenSource;
  /** The `Authorization` scheme: `dpop` for `Authorization: DPoP` (RFC 9449 §7.1). Default: `bearer`. */
  readonly scheme?: 'bearer' | 'dpop';
  /** The request's one `DPoP` header (the proof JWT), when the scheme is `dpop`. */
  readonly dpopProof?: string;
}

/**
 * Turns a request into its bearer token (RFC 6750 §2). Returns `undefined` when the
 * request carries none, and throws `InvalidRequestError` when it is malformed. It is given
 * Node's own request on every platform (Express's request is one; Fastify's wraps one as
 * `raw`), so `rawHeaders` shows repeated headers.
 */
export interface BearerTokenResolver {
  resolve(request: IncomingMessage): ResolvedToken | undefined;
}

/** Injection token for the {@link BearerTokenResolver} in use. */
export const BearerTokenResolver = Symbol.for('nest-resource-server.BearerTokenResolver');

/**
 * Node's `IncomingMessage` behind a platform's request: Express extends it, Fastify keeps it
 * as `raw` (its own request has no `rawHeaders`).
 */
export function nodeRequestOf(request: object): IncomingMessage {
  return ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage;
}
