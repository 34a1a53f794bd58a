import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { nodeRequestOf } from '../extraction/bearer-token-resolver.js';
import type { Transport } from './transport.js';
import type { RequestWithToken } from './verified-request.js';

/**
 * Where a GraphQL-over-WebSocket connection's handshake waits for the guard, in the context
 * `graphqlWsAuthentication()` builds for `connection_init` alone: a symbol, so no context an
 * app builds (or a client sends) can stand for it. @internal
 */
export const GRAPHQL_WS_HANDSHAKE = Symbol.for('nest-resource-server.graphqlWsHandshake');

/** The GraphQL context value as the drivers build it (`context.getArgs()[2]`). @internal */
export interface GraphqlContextValue {
  /**
   * The request of the operation: Express's or Fastify's request over HTTP (Apollo and
   * Mercurius alike, the Nest drivers put it there), the graphql-ws connection's context
   * over WebSocket (Apollo: what the driver's default context puts there).
   */
  readonly req?: object;
  readonly [GRAPHQL_WS_HANDSHAKE]?: IncomingMessage;
}

/** The context value of a resolver call: `(root, args, context, info)`. @internal */
export function graphqlContextOf(context: Pick<ExecutionContext, 'getArgs'>): GraphqlContextValue | undefined {
  const value: unknown = context.getArgs()[2];
  return typeof value === 'object' && value !== null ? (value as GraphqlContextValue) : undefined;
}

/**
 * Node's request behind an HTTP operation's `req`, or undefined when `req` is not an HTTP
 * request (a WebSocket connection: its token was verified at `connection_init`, or never).
 * @internal
 */
export function httpRequestOf(req: object | undefined): IncomingMessage | undefined {
  if (!req) return undefined;
  const node = nodeRequestOf(req) as Partial<IncomingMessage>;
  if (!Array.isArray(node.rawHeaders) || typeof node.method !== 'string') return undefined;
  // Express mounts Apollo at its path and strips it from `url`: the log line and a DPoP
  // proof's `htu` need the path the client called
  const { originalUrl } = req as { originalUrl?: unknown };
  if (typeof originalUrl !== 'string' || originalUrl === node.url) return node as IncomingMessage;
  // one view per request: what verification marks on it (the DPoP scheme) the filter reads later
  let view = WITH_ORIGINAL_URL.get(node);
  if (!view) {
    view = Object.create(node, { url: { value: originalUrl } }) as IncomingMessage;
    WITH_ORIGINAL_URL.set(node, view);
  }
  return view;
}

/** Express's requests seen with the URL the client called, by request. */
const WITH_ORIGINAL_URL = new WeakMap<object, IncomingMessage>();

/**
 * GraphQL (`@nestjs/graphql`, Apollo or Mercurius): the holder is the operation's request, so
 * its token is verified once per operation and every field resolver of it reuses the result
 * (times checked anew). Over WebSocket the holder is the connection, verified at
 * `connection_init` by `graphqlWsAuthentication()`; nothing else opens a subscription.
 */
export const graphqlTransport: Transport = {
  holderOf: (context) => {
    const req = graphqlContextOf(context)?.req;
    return typeof req === 'object' && req !== null ? (req as RequestWithToken) : undefined;
  },
  requestOf: (context) => {
    const value = graphqlContextOf(context);
    return value?.[GRAPHQL_WS_HANDSHAKE] ?? httpRequestOf(value?.req);
  },
  reusesVerifiedToken: true,
};
