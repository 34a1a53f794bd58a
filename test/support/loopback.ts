import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback port that refuses connections: below 1024, so listening on port 0 never hands it
 * out, and nothing in the suite binds it. An upstream or authorization server that is down.
 */
export const REFUSED_PORT = 1;

/** A public address that exists before the app behind it; see `openRelay()`. */
export interface Relay {
  /** The port it got. */
  readonly port: number;
  /** `http://<host>:<port>`: the app's public origin (its redirect URIs, its Origin check). */
  readonly url: string;
  /** Sends every connection, those already waiting included, to the app at `url` (`http://host:port`). */
  forwardTo(url: string): void;
  close(): Promise<void>;
}

/**
 * Listens on port 0 of `host` at once and relays each TCP connection to the app named later by
 * `forwardTo()`, which also listens on port 0. For an app whose public origin must be known
 * before it is built (web and bff: the authorization server registers their redirect URIs, the
 * APIs their CORS origin), as a reverse proxy in front of it would; nothing picks a free port
 * and listens on it later.
 */
export async function openRelay(host: 'localhost' | '127.0.0.1' = '127.0.0.1'): Promise<Relay> {
  let target: URL | undefined;
  const waiting: Socket[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const relay = (client: Socket) => {
    const upstream = connect(Number(target!.port), target!.hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (target === undefined) waiting.push(client);
    else relay(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    forwardTo(url) {
      target = new URL(url);
      for (const client of waiting.splice(0)) relay(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
