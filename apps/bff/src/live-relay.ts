import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { Request } from 'express';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BffConfig } from './bff-config.js';
import { LIVE_CLOSE_CODES, LiveConnection } from './live-connection.js';
import type { SessionTokens } from './session-tokens.js';
import type { UpstreamHandshake } from './upstream-handshake.js';

/** The path of the BFF's live updates WebSocket. */
export const LIVE_PATH = '/live';
/** How often a page's socket is pinged; one that has not answered the last ping is dropped. */
const HEARTBEAT_MS = 30_000;
/** How long a page gets to answer the BFF's close at shutdown. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Loads the session of an upgrade request (express-session): `unavailable` while the store cannot answer. */
export type SessionLoader = (request: IncomingMessage) => Promise<'loaded' | 'unavailable'>;

/**
 * `ws(s)://<BFF>/live`: the page's live todo updates, relayed from todo-api's `/live` (see
 * {@link LiveConnection}). The handshake is checked before it is accepted, each refusal a plain
 * HTTP answer on the upgrade: `Origin` must be `BFF_ORIGIN` exactly (a handshake is a `GET`
 * any page may send, with the session cookie of a same-site one: cross-site WebSocket
 * hijacking), else 403; the session store must answer, else 503; the session must be logged
 * in, else 401. Only then is a socket opened, on the BFF's own HTTP server (`ws`, `noServer`).
 * A logout ends its session's sockets (4401 `logged_out`); shutdown ends them all (1001).
 */
export class LiveRelay implements BeforeApplicationShutdown {
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  private readonly bySession = new Map<string, Set<LiveConnection>>();
  private readonly upstreamUrl: URL;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly config: Pick<BffConfig, 'origin' | 'todoApiUrl'>,
    private readonly tokens: SessionTokens,
    private readonly handshake: UpstreamHandshake,
  ) {
    // derived, not configured: todo-api's /live is beside its routes
    this.upstreamUrl = new URL(`${config.todoApiUrl}/live`);
  }

  /** Serves `/live` on `httpServer`'s upgrades (the BFF has no other WebSocket: other paths are 404). */
  attach(httpServer: Server, loadSession: SessionLoader): void {
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.upgrade(request, socket, head, loadSession).catch(() => refuse(socket, 500, { statusCode: 500 }));
    });
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Ends the live sockets of a session (its logout), telling the pages to log in again. */
  endSession(sessionId: string): void {
    for (const connection of [...(this.bySession.get(sessionId) ?? [])])
      connection.end(LIVE_CLOSE_CODES.loginRequired, 'logged_out');
  }

  /** Closes every page's socket with 1001 `going_away` (and each upstream one), before Nest closes the HTTP server. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const closing = [...this.server.clients].map(
      (page) =>
        new Promise<void>((resolve) => {
          page.once('close', () => resolve());
          setTimeout(() => {
            page.terminate();
            resolve();
          }, SHUTDOWN_GRACE_MS).unref();
        }),
    );
    for (const connections of this.bySession.values())
      for (const connection of [...connections]) connection.end(LIVE_CLOSE_CODES.goingAway, 'going_away');
    await Promise.all(closing);
    this.server.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, load: SessionLoader): Promise<void> {
    if (new URL(request.url ?? '/', 'http://bff').pathname !== LIVE_PATH)
      return refuse(socket, 404, { statusCode: 404, error: 'not_found' });
    // exactly the BFF's origin; no Sec-Fetch-Site fallback: browsers always send Origin here
    if (request.headers.origin !== this.config.origin)
      return refuse(socket, 403, { statusCode: 403, error: 'csrf', message: 'cross-origin request refused' });
    if ((await load(request)) === 'unavailable')
      return refuse(socket, 503, {
        statusCode: 503,
        error: 'session_store_unavailable',
        message: 'sessions are unavailable right now; try again shortly',
      });
    const withSession = request as Request & IncomingMessage;
    if (!withSession.session?.tokens)
      return refuse(socket, 401, { statusCode: 401, error: 'not_logged_in', login: '/login' });
    this.server.handleUpgrade(request, socket, head, (page) => void this.relay(page, withSession));
  }

  private relay(page: WebSocket, request: Request & IncomingMessage): Promise<void> {
    const sessionId = request.sessionID;
    const connections = this.bySession.get(sessionId) ?? new Set<LiveConnection>();
    this.bySession.set(sessionId, connections);
    const connection = new LiveConnection(page, request, this.upstreamUrl, this.tokens, this.handshake, () => {
      connections.delete(connection);
      if (connections.size === 0) this.bySession.delete(sessionId);
    });
    connections.add(connection);
    return connection.start();
  }

  /** Drops the pages that did not answer the last ping (a connection gone without a close). */
  private ping(): void {
    for (const connections of this.bySession.values()) {
      for (const connection of connections) connection.ping();
    }
  }
}

/** A refused upgrade: a plain HTTP answer with a JSON body, then the connection is closed. */
function refuse(socket: Duplex, status: number, body: Record<string, unknown>): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Cache-Control: no-store',
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
}
