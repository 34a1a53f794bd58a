import type { IncomingMessage } from 'node:http';
import { Logger, type ExecutionContext } from '@nestjs/common';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError } from '../errors/bearer-token.errors.js';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import { GRAPHQL_WS_HANDSHAKE, type GraphqlContextValue } from './graphql.transport.js';
import { verifiedTokenOfRequest, type RequestWithToken } from './verified-request.js';
import { fireAfter } from './fire-after.js';

/**
 * How a GraphQL-over-WebSocket connection is closed when its token is refused, at
 * `connection_init` or later (graphql-ws's own 4401 and 4403 conventions). The close reason
 * is the contract's `reason`: `token_expired` means "refresh and reconnect".
 */
export const GRAPHQL_WS_CLOSE_CODES = {
  /** Two tokens, a malformed `Authorization` (HTTP 400). */
  badRequest: 4400,
  /** No token, an invalid one, or one that expired while connected (HTTP 401). */
  unauthorized: 4401,
  /** A cookie-borne token on a handshake from an untrusted `Origin` (HTTP 403). */
  forbidden: 4403,
  /** The authorization server cannot be reached (HTTP 503): RFC 6455 "Try Again Later". */
  unavailable: 1013,
} as const;

/** The guard that judges a connection: `ResourceServerGuard` (inject it). */
export interface ConnectionGuard {
  canActivate(context: ExecutionContext): boolean | Promise<boolean>;
}

/** What is read of graphql-ws's `Context` (`graphql-ws/use/ws`, as `@nestjs/apollo` runs it). */
export interface GraphqlWsContext {
  /** The `connection_init` payload: `{ authorization: 'Bearer …' }` carries the token. */
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly extra: {
    /** The `ws` socket. */
    readonly socket: {
      close(code: number, reason: string): void;
      once(event: 'close', listener: () => void): unknown;
    };
    /** The HTTP upgrade request: its cookie, `Origin` and `Authorization` header. */
    readonly request: IncomingMessage;
  };
}

/** The graphql-ws server options `graphqlWsAuthentication()` fills: spread them into the driver's `'graphql-ws'` options. */
export interface GraphqlWsAuthentication {
  /** Verifies the connection's token at `connection_init`; a refused connection is closed with a {@link GRAPHQL_WS_CLOSE_CODES} code. */
  onConnect(context: GraphqlWsContext): Promise<boolean>;
}

const RECHECK_MS = 1000;
// graphql-ws's InternalServerError
const INTERNAL_ERROR = 4500;

/** The handler the guard sees for `connection_init`: no route rules (a subscription's own apply per operation). */
class GraphqlWsConnection {
  connectionInit(): void {}
}

/**
 * Authenticates GraphQL subscriptions over graphql-ws with the guard that protects the
 * resolvers. At `connection_init` the token comes from the payload's `authorization` (as an
 * `Authorization` header would), else from the upgrade request's header or cookie; the same
 * extraction, cross-site rule and verification as HTTP apply, and a cookie-borne token needs
 * a trusted `Origin` (a handshake is cross-site-able, whatever its method). The verified token
 * stays with the connection: each subscription's rules (`@RequireScope`, …) are checked by
 * the guard against it, its times checked anew, and the socket is closed with 4401
 * `token_expired` when it expires.
 * @example
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   inject: [ResourceServerGuard],
 *   useFactory: (guard: ResourceServerGuard) => ({
 *     autoSchemaFile: true,
 *     subscriptions: { 'graphql-ws': graphqlWsAuthentication(guard) },
 *   }),
 * })
 */
export function graphqlWsAuthentication(guard: ConnectionGuard): GraphqlWsAuthentication {
  const logger = new Logger('ResourceServer');
  return {
    async onConnect(connection) {
      const holder = connection as GraphqlWsContext & RequestWithToken;
      const upgrade = connection.extra.request;
      try {
        const admitted = await guard.canActivate(
          contextFor({ req: holder, [GRAPHQL_WS_HANDSHAKE]: handshakeOf(connection) }),
        );
        if (!admitted) return refuse(connection, 403, 'forbidden');
      } catch (error) {
        const refusal = refusalOf(error);
        logger.log(`${refusal.status} ${refusal.reason} ${upgrade.method} ${pathOf(upgrade)} (connection_init)`);
        return refuse(connection, refusal.status, refusal.reason);
      }
      watchExpiry(connection, holder, guard, logger);
      return true;
    },
  };
}

/**
 * The handshake as the guard verifies it: the upgrade request, with the payload's
 * `authorization` as one more `Authorization` header (so a different token in the upgrade's
 * header or cookie is two tokens), and `CONNECT` as its method (RFC 8441 opens a WebSocket so;
 * an unsafe method, so a cookie-borne token meets the `Origin` rule).
 */
function handshakeOf(connection: GraphqlWsContext): IncomingMessage {
  const upgrade = connection.extra.request;
  const headers = { ...upgrade.headers };
  let rawHeaders = upgrade.rawHeaders;
  for (const name of ['authorization', 'Authorization']) {
    const param = connection.connectionParams?.[name];
    if (typeof param !== 'string') continue;
    headers.authorization ??= param;
    rawHeaders = [...rawHeaders, 'Authorization', param];
  }
  return Object.create(upgrade, {
    method: { value: 'CONNECT' },
    headers: { value: headers },
    rawHeaders: { value: rawHeaders },
  }) as IncomingMessage;
}

/** Closes the socket when the connection's token expires, as the guard judges it (clock and tolerance). */
function watchExpiry(
  connection: GraphqlWsContext,
  holder: RequestWithToken,
  guard: ConnectionGuard,
  logger: Logger,
): void {
  const exp = verifiedTokenOfRequest(holder)?.claims.exp;
  if (typeof exp !== 'number') return; // an introspected token without exp: nothing to wait for
  let cancel: (() => void) | undefined;
  let open = true;
  const schedule = (delayMs: number) => {
    cancel = fireAfter(delayMs, check);
  };
  const check = () => {
    Promise.resolve()
      .then(() => guard.canActivate(contextFor({ req: holder })))
      .then(
        (admitted) => {
          if (!admitted) refuse(connection, 403, 'forbidden');
          else if (open) schedule(Math.max(exp * 1000 - Date.now(), RECHECK_MS));
        },
        (error: unknown) => {
          const refusal = refusalOf(error);
          const upgrade = connection.extra.request;
          logger.log(`${refusal.status} ${refusal.reason} ${upgrade.method} ${pathOf(upgrade)} (connection closed)`);
          refuse(connection, refusal.status, refusal.reason);
        },
      )
      .catch(() => connection.extra.socket.close(INTERNAL_ERROR, 'internal error'));
  };
  connection.extra.socket.once('close', () => {
    open = false;
    cancel?.();
  });
  schedule(exp * 1000 - Date.now());
}

function pathOf(request: IncomingMessage): string | undefined {
  return request.url?.split('?')[0];
}

function refusalOf(error: unknown): { status: number; reason: string } {
  if (error instanceof BearerTokenError) return { status: error.status, reason: error.reason };
  if (error instanceof CrossSiteRequestError) return { status: 403, reason: error.reason };
  if (error instanceof AuthorizationServerUnavailableError) return { status: 503, reason: error.reason };
  throw error; // a bug, not a refusal: graphql-ws closes with 4500
}

function refuse(connection: GraphqlWsContext, status: number, reason: string): false {
  const code =
    status === 400
      ? GRAPHQL_WS_CLOSE_CODES.badRequest
      : status === 401
        ? GRAPHQL_WS_CLOSE_CODES.unauthorized
        : status === 503
          ? GRAPHQL_WS_CLOSE_CODES.unavailable
          : GRAPHQL_WS_CLOSE_CODES.forbidden;
  // before graphql-ws's own close (4403 for `false`), which then does nothing
  connection.extra.socket.close(code, reason);
  return false;
}

/** A resolver call's context as the guard reads it, for the connection rather than a resolver. */
function contextFor(value: GraphqlContextValue): ExecutionContext {
  const args = [undefined, {}, value, undefined];
  const unsupported = () => {
    throw new Error('a graphql-ws connection has no HTTP, RPC or WebSocket-gateway context');
  };
  return {
    getType: () => 'graphql',
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    getClass: () => GraphqlWsConnection,
    getHandler: () => GraphqlWsConnection.prototype.connectionInit,
    switchToHttp: unsupported,
    switchToRpc: unsupported,
    switchToWs: unsupported,
  } as unknown as ExecutionContext;
}
