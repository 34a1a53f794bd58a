import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** The start of one connection through a {@link WireRecorder}, as it crossed the wire. */
export interface RecordedConnection {
  /** The request line, e.g. `GET /live HTTP/1.1`. */
  readonly requestLine: string;
  /** The request's headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The answer's status code (101 for an accepted WebSocket upgrade); undefined until it came. */
  status?: number;
}

/** A TCP hop in front of an app that keeps the head of each request and the status of its answer. */
export interface WireRecorder {
  readonly port: number;
  readonly connections: RecordedConnection[];
  close(): Promise<void>;
}

/**
 * Listens on port 0 of 127.0.0.1 and relays every connection to `target` (`http://host:port`)
 * byte for byte, recording the first request of each connection and its answer's status line:
 * what a browser sent with a WebSocket handshake and what it got back, which the page's
 * `WebSocket` never reveals (a refused upgrade is only close code 1006 to it).
 */
export async function startWireRecorder(target: string): Promise<WireRecorder> {
  const upstream = new URL(target);
  const connections: RecordedConnection[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    const app = connect(Number(upstream.port), upstream.hostname);
    track(app);
    let request = '';
    let answer = '';
    let recorded: RecordedConnection | undefined;
    client.on('data', (chunk: Buffer) => {
      if (recorded) return;
      request += chunk.toString('latin1');
      const end = request.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = request.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).trim().toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      recorded = { requestLine, headers };
      connections.push(recorded);
    });
    app.on('data', (chunk: Buffer) => {
      if (!recorded || recorded.status !== undefined) return;
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) recorded.status = Number(status[1]);
    });
    client.pipe(app).pipe(client);
    client.once('close', () => app.destroy());
    app.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
