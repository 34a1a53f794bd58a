import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { answerInBand, type WebSocketClient } from '../transports/ws-transport.js';
import { guardGateways } from './guard-gateways.js';
import { HandshakeAuthenticator } from './handshake-authenticator.js';

type Done = (verified: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;
type VerifyClientInfo = { origin: string; secure: boolean; req: IncomingMessage };
type VerifyClient = ((info: VerifyClientInfo) => boolean) | ((info: VerifyClientInfo, done: Done) => void);

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

// the token verified during the upgrade, kept on the request until the connection exists
const HANDSHAKE_TOKEN = Symbol('nest-resource-server.handshakeToken');

/**
 * `WsAdapter` (`@nestjs/platform-ws`) that lets in only a handshake with a valid token, in
 * the upgrade (ws `verifyClient`), before any connection exists or a gateway sees it: from
 * `Authorization` or the token cookie (whose `Origin` must be trusted). A refused upgrade is
 * answered as HTTP would be: 401/400/403/503, `WWW-Authenticate`, a JSON body with `reason`.
 * The connection keeps the verified token for every message (the guard rechecks its times)
 * and is closed with 4401 `token_expired` when it expires.
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new ResourceServerWsAdapter(app));
 */
export class ResourceServerWsAdapter extends WsAdapter {
  private authenticator?: HandshakeAuthenticator;
  private readonly watched = new WeakSet<object>();
  private readonly sharing = new WeakSet<UpgradeListener>();

  constructor(private readonly app: INestApplicationContext) {
    super(app);
    guardGateways(app); // Nest 11 runs no global guard on gateways
  }

  override create(port: number, options: Parameters<WsAdapter['create']>[1] = {}): unknown {
    // at start-up: an app without ResourceServerModule fails to start rather than refuse every handshake
    const authenticator = (this.authenticator ??= HandshakeAuthenticator.of(this.app));
    const { verifyClient, ...rest } = options as { verifyClient?: VerifyClient };
    const server = super.create(port, {
      ...rest,
      verifyClient: (info: VerifyClientInfo, done: Done) => void this.verify(authenticator, info, done, verifyClient),
    }) as { on(event: 'connection', listener: (client: WebSocketClient, request: IncomingMessage) => void): void };
    if (!this.watched.has(server)) {
      this.watched.add(server);
      // registered before the gateway's own listener: the token is there for handleConnection()
      server.on('connection', (client, request) => this.admit(authenticator, client, request));
    }
    return server;
  }

  /**
   * Nest's upgrade listener destroys every upgrade whose path has no gateway. Beside another
   * WebSocket server on the same HTTP server (GraphQL subscriptions, graphql-ws), that would
   * kill its connections: such an upgrade is left to the other listeners. Alone, it still
   * destroys them.
   */
  protected override ensureHttpServerExists(port: number, httpServer?: HttpServer): HttpServer | undefined {
    const known = this.httpServersRegistry.has(port);
    const created = super.ensureHttpServerExists(port, httpServer);
    const target = this.httpServersRegistry.get(port) as HttpServer | undefined;
    if (known || !target) return created;
    // Nest has just added its upgrade listener: the last one (Nest 11 keeps no other reference to
    // it; Nest 12 also keeps it, privately, for dispose(), which must then take off ours)
    const nests = target.listeners('upgrade').at(-1) as UpgradeListener | undefined;
    if (!nests || this.sharing.has(nests)) return created;
    const shared: UpgradeListener = (request, socket, head) => {
      if (target.listenerCount('upgrade') > 1 && !this.servesPathOf(port, request)) return;
      nests(request, socket, head);
    };
    this.sharing.add(shared);
    target.off('upgrade', nests);
    target.on('upgrade', shared);
    const registry = (this as unknown as { upgradeListenersRegistry?: Map<number, UpgradeListener> })
      .upgradeListenersRegistry;
    if (registry?.get(port) === nests) registry.set(port, shared);
    return created;
  }

  private servesPathOf(port: number, request: IncomingMessage): boolean {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'ws://localhost/').pathname;
    } catch {
      return true; // Nest's listener answers a malformed one
    }
    return (this.wsServersRegistry.get(port) ?? []).some((server: { path?: string }) => server.path === pathname);
  }

  private async verify(
    authenticator: HandshakeAuthenticator,
    info: VerifyClientInfo,
    done: Done,
    own?: VerifyClient,
  ): Promise<void> {
    let outcome;
    try {
      outcome = await authenticator.authenticate(info.req);
    } catch (error) {
      authenticator.failed(error);
      return done(false, 500);
    }
    const { verified, rejection } = outcome;
    if (rejection) {
      const headers = { ...rejection.headers, 'Content-Type': 'application/json' };
      return done(false, rejection.status, JSON.stringify(rejection.body), headers);
    }
    (info.req as { [HANDSHAKE_TOKEN]?: VerifiedToken })[HANDSHAKE_TOKEN] = verified;
    if (!own) return done(true);
    if (own.length >= 2) return (own as (info: VerifyClientInfo, done: Done) => void)(info, done);
    done((own as (info: VerifyClientInfo) => boolean)(info));
  }

  private admit(authenticator: HandshakeAuthenticator, client: WebSocketClient, request: IncomingMessage): void {
    const holder = request as { [HANDSHAKE_TOKEN]?: VerifiedToken };
    const verified = holder[HANDSHAKE_TOKEN];
    if (!verified) return;
    delete holder[HANDSHAKE_TOKEN];
    authenticator.admit(client, verified);
    const cancel = authenticator.watchExpiry(verified, () => answerInBand(client, authenticator.expired(request)));
    (client as unknown as { once(event: 'close', listener: () => void): void }).once('close', cancel);
  }
}
