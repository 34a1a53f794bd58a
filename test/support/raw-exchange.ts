import { connect } from 'node:net';
import type { RawResponse } from './raw-http.js';

/**
 * Sends exactly these request lines (the request line first, then header lines, with no
 * `Connection` added) and these body pieces, each written as given (chunk framing included),
 * then reads one response until the server closes or the response is complete.
 */
export function rawExchange(
  port: number,
  lines: readonly string[],
  bodyPieces: readonly string[] = [],
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const done = () => {
      const response = parse(received.toString('latin1'));
      if (response) {
        socket.destroy();
        resolve(response);
      }
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      done();
    });
    socket.on('error', reject);
    // a body delimited by the connection's end: everything after the head
    socket.on('end', () => resolve(parse(received.toString('latin1'), true) ?? { status: 0, headers: {}, body: '' }));
    socket.write([...lines, '', ''].join('\r\n'));
    for (const piece of bodyPieces) socket.write(piece);
  });
}

/** The response in `text`, or undefined while it is incomplete. */
function parse(text: string, ended = false): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = text.slice(end + 4);
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length
      ? { status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(0, length) }
      : undefined;
  }
  if (headers['transfer-encoding'] === 'chunked') {
    let body = '';
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(rest.slice(at, lineEnd), 16);
      if (size === 0) return { status: Number(statusLine.split(' ')[1]), headers, body };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  return ended ? { status: Number(statusLine.split(' ')[1]), headers, body: rest } : undefined;
}
