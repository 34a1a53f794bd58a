import type { IncomingHttpHeaders } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';

/** What a client was told of its connection: open, or refused with the handshake's answer. */
export type Opened<C> =
  { readonly client: C; readonly refused?: undefined } | { readonly client?: undefined; readonly refused: Refusal };

/** A refused connection: the HTTP answer to a `ws` upgrade, or socket.io's `connect_error`. */
export interface Refusal {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** One end of a test connection, `ws` or socket.io alike. */
export interface TestClient {
  /** Sends an event (`ws`: the frame `{"event":…,"data":…}`). */
  send(event: string, data?: unknown): void;
  /** The next `event` the server sends (the ones already received count first). */
  next(event: string): Promise<unknown>;
  /** Events received and not yet taken by `next()`, in order. */
  unread(): readonly { readonly event: string; readonly data: unknown }[];
  /** Resolves once the server has closed the connection: `ws` with its code and reason. */
  closed(): Promise<{ readonly code?: number; readonly reason: string }>;
  readonly isOpen: boolean;
  close(): void;
}

/** Messages as they arrive, and waiters for the ones not arrived yet. */
class Inbox {
  private readonly messages: { event: string; data: unknown }[] = [];
  private readonly waiters: { event: string; resolve: (data: unknown) => void }[] = [];

  push(event: string, data: unknown): void {
    const waiter = this.waiters.findIndex((w) => w.event === event);
    if (waiter >= 0) this.waiters.splice(waiter, 1)[0]!.resolve(data);
    else this.messages.push({ event, data });
  }

  unread(): readonly { event: string; data: unknown }[] {
    return [...this.messages];
  }

  next(event: string): Promise<unknown> {
    const index = this.messages.findIndex((m) => m.event === event);
    if (index >= 0) return Promise.resolve(this.messages.splice(index, 1)[0]!.data);
    return new Promise((resolve) => this.waiters.push({ event, resolve }));
  }
}

/** A `ws` client of `url` (`ws://…/live`) sending `headers` with its upgrade request. */
export function openWs(url: string, headers: Record<string, string> = {}): Promise<Opened<TestClient>> {
  const socket = new WebSocket(url, { headers });
  const inbox = new Inbox();
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (raw) => {
    const { event, data } = JSON.parse(raw.toString()) as { event: string; data: unknown };
    inbox.push(event, data);
  });
  const client: TestClient = {
    send: (event, data = {}) => socket.send(JSON.stringify({ event, data })),
    next: (event) => inbox.next(event),
    unread: () => inbox.unread(),
    closed: () => closed,
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ client }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({
          refused: { status: response.statusCode!, headers: response.headers, body: JSON.parse(text) as never },
        });
        socket.terminate();
      });
    });
    socket.once('error', (error) => {
      if (!('statusCode' in error)) reject(error);
    });
  });
}

/** A socket.io client of `url` (`http://…`, path `/live`), on the WebSocket transport unless told. */
export function openIo(
  url: string,
  headers: Record<string, string> = {},
  auth?: Record<string, unknown>,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<Opened<TestClient>> {
  const socket: Socket = io(url, {
    path: '/live',
    transports,
    extraHeaders: headers,
    ...(auth ? { auth } : {}),
    reconnection: false,
    forceNew: true,
  });
  const inbox = new Inbox();
  socket.onAny((event: string, data: unknown) => inbox.push(event, data));
  const closed = new Promise<{ reason: string }>((resolve) => socket.on('disconnect', (reason) => resolve({ reason })));
  const client: TestClient = {
    send: (event, data = {}) => socket.emit(event, data),
    next: (event) => inbox.next(event),
    unread: () => inbox.unread(),
    closed: () => closed,
    get isOpen() {
      return socket.connected;
    },
    close: () => socket.close(),
  };
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ client }));
    socket.once('connect_error', (error: Error & { data?: Record<string, unknown> }) => {
      socket.close();
      const body = error.data ?? { message: error.message };
      resolve({ refused: { status: Number(body.status ?? 0), headers: {}, body } });
    });
  });
}
