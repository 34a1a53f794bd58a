import type { ArgumentsHost } from '@nestjs/common';
import type { Rejection, RejectionWriter } from '../errors/rejection.js';
import { graphqlContextOf, httpRequestOf } from './graphql.transport.js';

/** `extensions.code` of a refusal, by the HTTP status it stands for (Apollo's names where it has one). */
export type GraphqlRejectionCode = 'BAD_REQUEST' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE';

const CODES: Readonly<Record<number, GraphqlRejectionCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  503: 'SERVICE_UNAVAILABLE',
};

/** What a refused field's GraphQL error carries in `extensions`: what an HTTP client gets in status, headers and body. */
export interface GraphqlRejectionExtensions {
  /** `UNAUTHENTICATED` (401), `FORBIDDEN` (403), `BAD_REQUEST` (400), `SERVICE_UNAVAILABLE` (503). */
  readonly code: GraphqlRejectionCode;
  /** The HTTP status the same refusal gets on a REST route. */
  readonly status: number;
  /**
   * The contract's reason: `token_expired` alone means "refresh the token", any other 401
   * reason "log in again", a 403 "not allowed".
   */
  readonly reason: string;
  /** RFC 6750 `error` (`invalid_token`, `insufficient_scope`, …), `csrf_rejected` or `temporarily_unavailable`; none when no token was sent. */
  readonly error?: string;
  /** The scope that was missing (`insufficient_scope`). */
  readonly scope?: string;
  /** The `WWW-Authenticate` challenge a REST route would send (RFC 6750 §3), e.g. for a 401. */
  readonly wwwAuthenticate?: string;
  /** The server's next DPoP nonce (RFC 9449 §8), when one is asked for. */
  readonly dpopNonce?: string;
  /** Seconds to wait before trying again (503). */
  readonly retryAfterSeconds?: number;
}

/**
 * A refusal as a GraphQL error. A plain `Error` with `extensions`, not a `GraphQLError`: the
 * library does not load `graphql`, and graphql-js copies `extensions` from the error a
 * resolver returns or throws (`GraphQLError`'s `originalError`), for Apollo and Mercurius
 * alike. Its `stack` is its first line only: Apollo shows stacks to clients outside production.
 */
export class GraphqlRejectionError extends Error {
  constructor(
    message: string,
    readonly extensions: GraphqlRejectionExtensions,
  ) {
    super(message);
    this.name = 'GraphqlRejectionError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** The refused field's error, from the rejection the filter decided. @internal */
export function graphqlErrorFor(rejection: Rejection): GraphqlRejectionError {
  const { status, headers, body, reason } = rejection;
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
  const extensions: GraphqlRejectionExtensions = {
    code: CODES[status] ?? (status >= 500 ? 'SERVICE_UNAVAILABLE' : 'FORBIDDEN'),
    status,
    reason,
    ...(text('error') === undefined ? {} : { error: text('error') }),
    ...(text('scope') === undefined ? {} : { scope: text('scope') }),
    ...(headers['WWW-Authenticate'] === undefined ? {} : { wwwAuthenticate: headers['WWW-Authenticate'] }),
    ...(headers['DPoP-Nonce'] === undefined ? {} : { dpopNonce: headers['DPoP-Nonce'] }),
    ...(headers['Retry-After'] === undefined ? {} : { retryAfterSeconds: Number(headers['Retry-After']) }),
  };
  return new GraphqlRejectionError(text('error_description') ?? text('message') ?? 'access refused', extensions);
}

/**
 * GraphQL's answer to a refusal: the field's error (Nest returns what the filter returns as
 * the resolver's result, and graphql-js turns an `Error` result into that field's error). The
 * HTTP status stays the GraphQL-over-HTTP one (200 with `data`): one operation may mix public
 * and protected fields.
 */
export const graphqlRejectionWriter: RejectionWriter = {
  describe(host: ArgumentsHost) {
    const req = graphqlContextOf(host)?.req as { extra?: { request?: object } } | undefined;
    // the request itself (not a copy of its method and url): the filter reads which scheme it used (DPoP)
    return httpRequestOf(req) ?? httpRequestOf(req?.extra?.request) ?? {};
  },
  write: (rejection) => graphqlErrorFor(rejection),
};
