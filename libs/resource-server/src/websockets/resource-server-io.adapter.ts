import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { rejectionPayloadOf, type RejectionPayload } from '../transports/rejection-payload.js';
import { verifiedTokenOfRequest, type RequestWithToken } from '../transports/verified-request.js';
import { answerInBand, type WebSocketClient } from '../transports/ws-transport.js';
import { guardGateways } from './guard-gateways.js';
import { HandshakeAuthenticator } from './handshake-authenticator.js';

/** What the adapter uses of a socket.io namespace (its `Server` or a `Namespace`). */
interface Namespace {
  use(middleware: (socket: Socket, next: (error?: Error) => void) => void): unknown;
  on(event: 'connection', listener: (socket: Socket) => void): unknown;
}

/** What the adapter uses of a socket.io `Socket`. */
type Socket = WebSocketClient & {
  readonly request: IncomingMessage;
  readonly handshake: { readonly auth?: { readonly token?: unknown } };
  once(event: 'disconnect', listener: () => void): unknown;
};

type IoServer = ReturnType<IoAdapter['create']>;

/** The error a refused socket.io connection gets as `connect_error`: `data` says why. */
export interface ConnectionRefusedError extends Error {
  readonly data: RejectionPayload;
}

/**
 * `IoAdapter` (`@nestjs/platform-socket.io`) whose namespaces let in only a connection with a
 * valid token, in a middleware (`namespace.use()`) that runs before the connection exists and
 * before any gateway sees it: from socket.io's `auth` payload (`io(url, { auth: { token } })`),
 * `Authorization` (`extraHeaders`, Node clients) or the token cookie (whose `Origin` must be
 * trusted). A refused client gets `connect_error` with `data` `{ status, reason, message, … }`.
 * The socket keeps the verified token for every event (the guard rechecks its times); when it
 * expires the client gets an `exception` event (`token_expired`) and is disconnected.
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new ResourceServerIoAdapter(app));
 */
export class ResourceServerIoAdapter extends IoAdapter {
  private authenticator?: HandshakeAuthenticator;
  private readonly guarded = new WeakSet<object>();

  constructor(private readonly app: INestApplicationContext) {
    super(app);
    guardGateways(app); // Nest 11 runs no global guard on gateways
  }

  override create(port: number, options?: Parameters<IoAdapter['create']>[1]): IoServer {
    // at start-up: an app without ResourceServerModule fails to start rather than refuse every handshake
    const authenticator = (this.authenticator ??= HandshakeAuthenticator.of(this.app));
    const server = super.create(port, options);
    const namespace = server as unknown as Namespace;
    if (!this.guarded.has(namespace)) {
      this.guarded.add(namespace);
      namespace.use((socket, next) => void this.verify(authenticator, socket).then(() => next(), next));
      // registered before the gateway's own listener
      namespace.on('connection', (socket) => this.watch(authenticator, socket));
    }
    return server;
  }

  /** Resolves when the socket may connect; rejects with the error its client gets. */
  private async verify(authenticator: HandshakeAuthenticator, socket: Socket): Promise<void> {
    let outcome;
    try {
      outcome = await authenticator.authenticate(socket.request, socket.handshake.auth?.token);
    } catch (error) {
      authenticator.failed(error);
      throw new Error('connection failed');
    }
    if (outcome.rejection) {
      const payload = rejectionPayloadOf(outcome.rejection);
      throw Object.assign(new Error(payload.message), { data: payload }) satisfies ConnectionRefusedError;
    }
    authenticator.admit(socket, outcome.verified);
  }

  private watch(authenticator: HandshakeAuthenticator, socket: Socket): void {
    const verified = verifiedTokenOfRequest(socket as unknown as RequestWithToken);
    if (!verified) return;
    const cancel = authenticator.watchExpiry(verified, () =>
      answerInBand(socket, authenticator.expired(socket.request)),
    );
    socket.once('disconnect', cancel);
  }
}
