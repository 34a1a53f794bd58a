import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through a {@link RecordingProxy}, and the status and headers of its answer. */
export interface RecordedExchange {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly status: number;
  readonly responseHeaders: IncomingHttpHeaders;
}

/** An HTTP hop in front of an API that keeps what it saw. */
export interface RecordingProxy {
  /** `http://127.0.0.1:<port>`: the URL the BFF is given for the API. */
  readonly url: string;
  /** Every exchange so far, oldest first; a spec may empty it. */
  readonly exchanges: RecordedExchange[];
  close(): Promise<void>;
}

/**
 * Listens on port 0 of 127.0.0.1 and forwards each request to `target` unchanged, `Host` header
 * included, so that the API sees the URL the client signed (a DPoP proof's `htu`), and records the
 * request's headers and the answer's status and headers.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const exchanges: RecordedExchange[] = [];
  const server = createServer((incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        exchanges.push({
          method: incoming.method ?? '',
          path: incoming.url ?? '',
          headers: incoming.headers,
          status: answer.statusCode ?? 0,
          responseHeaders: answer.headers,
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
