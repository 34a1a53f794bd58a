import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { rawExchange } from '../../../test/support/raw-exchange.js';
import { runToExit } from '../../../test/support/spawn-app.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../../todo-api/src/todo-api.module.js';
import { ProxyModule } from '../src/proxy.module.js';

const WEB_ORIGIN = 'http://web.test';

/** What one request looked like when it reached an upstream. */
interface Seen {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A loopback server on port 0; `handle` answers each request. */
async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Records each request, then answers 200 with hop-by-hop headers of its own. */
function recorder(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive, X-Upstream-Secret',
        'x-upstream-secret': 'internal',
        'keep-alive': 'timeout=99, max=7',
        'proxy-authenticate': 'Basic realm="upstream"',
        trailer: 'X-Checksum',
        upgrade: 'h2c',
        'x-end-to-end': 'kept',
      });
      res.end('{"ok":true}');
    });
  };
}

/**
 * Answers 413 as soon as a body passes 1 KiB and reads no more of it, as Express's body-parser
 * does (`unpipe`, `pause`): the proxy's upload stalls while the answer is already there.
 */
function smallBodyLimit(req: IncomingMessage, res: ServerResponse) {
  let size = 0;
  const refuse = () => {
    req.removeAllListeners('data');
    req.pause();
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end('{"error":"payload_too_large","limit":1024}');
  };
  if (Number(req.headers['content-length'] ?? 0) > 1024) return refuse();
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > 1024 && !res.headersSent) refuse();
  });
  req.on('end', () => {
    if (!res.headersSent) res.writeHead(201, { 'content-type': 'application/json' }).end('{"created":true}');
  });
}

describe('proxy hardening (hop-by-hop headers, X-Forwarded-For, the upstream’s 4xx)', () => {
  let issuer: TestIssuer;
  const seen: Seen[] = [];
  let echo: Awaited<ReturnType<typeof listen>>;
  let limited: Awaited<ReturnType<typeof listen>>;
  let todoApi: RunningApp;
  let proxy: RunningApp;
  let trustingProxy: RunningApp;
  let toLimited: RunningApp;
  let toTodoApi: RunningApp;
  const token = () => issuer.token({ claims: { scope: 'todo:write' } });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    echo = await listen(recorder(seen));
    limited = await listen(smallBodyLimit);
    todoApi = await startSampleApp(
      (o) => TodoApiModule.forRoot(o),
      { port: 3001, audience: 'todo-api' },
      { OAUTH_ISSUER: issuer.url },
    );
    const start = (upstream: string, trustForwarded = false) =>
      startSampleApp(
        (o) => ProxyModule.forRoot(o, { upstream, mountPath: '/api', timeoutMs: 10_000, trustForwarded }),
        { port: 3004, audience: 'todo-api' },
        { OAUTH_ISSUER: issuer.url, CORS_ORIGINS: WEB_ORIGIN },
      );
    proxy = await start(echo.url);
    trustingProxy = await start(echo.url, true);
    toLimited = await start(limited.url);
    toTodoApi = await start(todoApi.url);
  });
  afterAll(async () => {
    await Promise.all([proxy, trustingProxy, toLimited, toTodoApi, todoApi].map((app) => app?.close()));
    echo.server.close();
    limited.server.close();
    await issuer.close();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  describe('hop-by-hop headers', () => {
    it('strips them, and every header Connection names, from the request it forwards', async () => {
      const response = await rawExchange(proxy.port, [
        'GET /api/todos HTTP/1.1',
        'Host: proxy.test',
        `Authorization: Bearer ${token()}`,
        'Connection: keep-alive, X-Client-Secret, Via-Nothing',
        'X-Client-Secret: planted',
        'Keep-Alive: timeout=5, max=1000',
        'Proxy-Authorization: Basic Zm9vOmJhcg==',
        'Proxy-Connection: keep-alive',
        'TE: trailers',
        'Trailer: X-Checksum',
        'Upgrade: h2c',
        'X-End-To-End: kept',
      ]);
      expect(response.status).toBe(200);
      expect(seen).toHaveLength(1);
      const { headers } = seen[0]!;
      for (const name of [
        'x-client-secret',
        'keep-alive',
        'proxy-authorization',
        'proxy-connection',
        'te',
        'trailer',
        'upgrade',
      ]) {
        expect(headers).not.toHaveProperty(name);
      }
      // the proxy's own connection to the upstream may say close or keep-alive, nothing the client said
      expect(headers.connection ?? 'close').toMatch(/^(close|keep-alive)$/);
      expect(headers['x-end-to-end']).toBe('kept');
      expect(headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('strips them, and every header Connection names, from the response it relays', async () => {
      const response = await rawExchange(proxy.port, [
        'GET /api/todos HTTP/1.1',
        'Host: proxy.test',
        `Authorization: Bearer ${token()}`,
      ]);
      expect(response.status).toBe(200);
      expect(response.body).toBe('{"ok":true}');
      for (const name of ['x-upstream-secret', 'proxy-authenticate', 'trailer', 'upgrade']) {
        expect(response.headers).not.toHaveProperty(name);
      }
      // Node's own connection headers towards our client, never the upstream's values
      expect(response.headers.connection ?? 'close').toMatch(/^(close|keep-alive)$/);
      expect(response.headers['keep-alive'] ?? '').not.toContain('timeout=99');
      expect(response.headers['x-end-to-end']).toBe('kept');
    });

    it('re-frames a chunked request body with its own Transfer-Encoding, the body intact', async () => {
      const response = await rawExchange(
        proxy.port,
        [
          'POST /api/todos HTTP/1.1',
          'Host: proxy.test',
          `Authorization: Bearer ${token()}`,
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ],
        ['5\r\n{"tit\r\n', 'b\r\nle":"chunk"\r\n', '1\r\n}\r\n', '0\r\n\r\n'],
      );
      expect(response.status).toBe(200);
      expect(seen[0]!.body).toBe('{"title":"chunk"}');
      expect(seen[0]!.headers['transfer-encoding']).toBe('chunked');
    });
  });

  describe('X-Forwarded-For', () => {
    const spoofed = [
      'X-Forwarded-For: 203.0.113.7',
      'X-Forwarded-Proto: https',
      'X-Forwarded-Host: admin.internal',
      'Forwarded: for=203.0.113.7;proto=https',
      'X-Real-IP: 203.0.113.7',
    ];

    it('replaces what the client claims with the socket’s address by default', async () => {
      const response = await rawExchange(proxy.port, [
        'GET /api/todos HTTP/1.1',
        'Host: proxy.test',
        `Authorization: Bearer ${token()}`,
        ...spoofed,
      ]);
      expect(response.status).toBe(200);
      const { headers } = seen[0]!;
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('http');
      expect(headers['x-forwarded-host']).toBe('proxy.test');
      expect(headers).not.toHaveProperty('forwarded');
      expect(headers).not.toHaveProperty('x-real-ip');
    });

    it('appends the socket’s address to the chain when trusted (PROXY_TRUST_FORWARDED=true)', async () => {
      const response = await rawExchange(trustingProxy.port, [
        'GET /api/todos HTTP/1.1',
        'Host: proxy.test',
        `Authorization: Bearer ${token()}`,
        ...spoofed,
      ]);
      expect(response.status).toBe(200);
      const { headers } = seen[0]!;
      expect(headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('https');
      expect(headers['x-forwarded-host']).toBe('admin.internal');
    });

    it('stops the built proxy at start-up on PROXY_TRUST_FORWARDED=yes, with one line naming it', async () => {
      const { code, output } = await runToExit('proxy', { PROXY_TRUST_FORWARDED: 'yes' });
      expect(code).toBe(1);
      expect(output).toContain('proxy: configuration error: PROXY_TRUST_FORWARDED: expected true or false, got "yes"');
      expect(output).not.toMatch(/\n\s+at /);
    });

    it('sets it from the socket when the client sends none, trusted or not', async () => {
      await rawExchange(trustingProxy.port, ['GET /api/todos HTTP/1.1', 'Host: p', `Authorization: Bearer ${token()}`]);
      expect(seen[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
    });
  });

  describe('the upstream’s refusals pass through unchanged', () => {
    const oneMegabyte = JSON.stringify({ title: 'x'.repeat(1024 * 1024) });
    const post = (app: RunningApp, body: string | ReadableStream, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/api/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json', ...headers },
        body,
        ...(typeof body === 'string' ? {} : { duplex: 'half' }),
      } as RequestInit);

    it('passes todo-api’s 413 for a 1 MB body, not a 502', async () => {
      const direct = await fetch(`${todoApi.url}/todos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
        body: oneMegabyte,
      });
      const proxied = await post(toTodoApi, oneMegabyte);
      expect(proxied.status).toBe(413);
      expect(await proxied.json()).toEqual(await direct.json());
    });

    it('passes the 413 of an upstream that stops reading (Content-Length)', async () => {
      const response = await post(toLimited, oneMegabyte);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'payload_too_large', limit: 1024 });
    });

    it('passes the 413 of an upstream that stops reading (chunked, no length)', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 16) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const response = await post(toLimited, body);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'payload_too_large', limit: 1024 });
    });

    it('still forwards a body within the upstream’s limit, and keeps answering after the 413s', async () => {
      const response = await post(toLimited, '{"title":"small"}');
      expect(response.status).toBe(201);
      const created = await post(toTodoApi, '{"title":"after"}');
      expect(created.status).toBe(201);
    });
  });
});
