import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { HttpException } from '@nestjs/common';
import { readBody, type BodyLimits } from './read-body.js';

/** A loopback server whose every request is read by `readBody`, answered with the outcome's status. */
async function serve(limits: BodyLimits): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    readBody(req, res, limits).then(
      (body) => res.writeHead(200).end(String(body.length)),
      (error: HttpException) => res.writeHead(error.getStatus()).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('readBody', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
  });

  it('answers the body within the limit', async () => {
    const served = await serve({ maxBytes: 16 });
    server = served.server;
    const response = await fetch(`http://127.0.0.1:${served.port}/`, { method: 'POST', body: '0123456789' });
    expect(await response.text()).toBe('10');
  });

  it('answers 413 past the limit and drops the rest, so the client receives it (1 MB body)', async () => {
    const served = await serve({ maxBytes: 1024 });
    server = served.server;
    const response = await fetch(`http://127.0.0.1:${served.port}/`, { method: 'POST', body: 'x'.repeat(1 << 20) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe('body over 1024 bytes');
  });

  it('answers 408 and closes the connection when the body stalls past the idle limit', async () => {
    const served = await serve({ maxBytes: 1024, idleTimeoutMs: 200 });
    server = served.server;
    const socket = connect(served.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"partial":');
    // the server ends the connection itself: nothing here waits on a clock
    await new Promise((resolve) => socket.on('close', resolve));
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toMatch(/\r\nConnection: close\r\n/i);
  });
});
