import { connect, type Socket } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

const PLATFORMS = ['express', 'fastify'] as const;

/** The app's output without colours, so a stack line reads `    at …` whatever the terminal. */
const plain = (app: SpawnedApp) => stripVTControlCharacters(app.output());
const STACK_LINE = /^\s+at \S/m;

/** Resolves once `app`'s output matches `pattern` (the app logs on its own time). */
async function logged(app: SpawnedApp, pattern: RegExp): Promise<string> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const match = pattern.exec(plain(app));
    if (match) return match[0];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matching ${pattern} in:\n${plain(app)}`);
}

/**
 * Sends a POST's head and the first 10 of 100 announced bytes, then stalls: the socket is left
 * open (`stall`) for the caller to end, with what the server answered meanwhile.
 */
function stalledPost(url: string, path: string, token: string): { socket: Socket; answer: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(
    [
      `POST ${path}?access_token=${token} HTTP/1.1`,
      `Host: ${hostname}`,
      `Authorization: Bearer ${token}`,
      'Content-Type: application/json',
      'Content-Length: 100',
      '',
      '{"title":"',
    ].join('\r\n'),
  );
  return { socket, answer };
}

const write = (url: string, token: string, body: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a stalled or aborted request body: one log line, no stack trace, the app keeps answering', () => {
  let issuer: TestIssuer;
  let token: string;
  const started: SpawnedApp[] = [];
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: ['todo-api', 'help-api'] });
    token = issuer.token({ claims: { scope: 'todo:write help:write' } });
  });
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop()));
    await issuer.close();
  });
  const spawn = async (name: string, env: Record<string, string>) => {
    const app = await spawnApp(name, { OAUTH_ISSUER: issuer.url, ...env });
    started.push(app);
    return app;
  };

  describe.each(PLATFORMS)('HTTP_PLATFORM=%s', (platform) => {
    it.each([
      ['todo-api', '/todos', { title: 'after' }],
      ['help-api', '/tickets', { subject: 'after' }],
    ])('%s logs an aborted body as one line and keeps answering', async (name, path, valid) => {
      const app = await spawn(name, { HTTP_PLATFORM: platform });
      const stalled = stalledPost(app.url, path, token);
      // stalled: the app answers everyone else meanwhile
      expect((await fetch(`${app.url}/health`)).status).toBe(200);
      expect((await write(`${app.url}${path}`, token, valid)).status).toBe(201);
      stalled.socket.destroy();
      const line = await logged(app, /^.*aborted the request body.*$/m);
      expect(line).toContain(`POST ${path}:`);
      expect(line).not.toContain(token.split('.')[1]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // anything logged late would show now
      const output = plain(app);
      expect(output).not.toMatch(STACK_LINE);
      expect(output).not.toContain('ExceptionsHandler');
      expect(output.match(/aborted the request body/g)).toHaveLength(1);
      expect((await write(`${app.url}${path}`, token, valid)).status).toBe(201);
    });
  });

  describe('proxy (express) in front of todo-api', () => {
    let todoApi: SpawnedApp;
    let proxy: SpawnedApp;
    beforeAll(async () => {
      todoApi = await spawn('todo-api', {});
      proxy = await spawn('proxy', { UPSTREAM_URL: todoApi.url, PROXY_TIMEOUT_MS: '1500' });
    });

    it('logs a client that aborts mid-body as one line, and so does todo-api behind it', async () => {
      const stalled = stalledPost(proxy.url, '/api/todos', token);
      expect((await write(`${proxy.url}/api/todos`, token, { title: 'meanwhile' })).status).toBe(201);
      stalled.socket.destroy();
      expect(await logged(proxy, /^.*POST \/api\/todos: the client aborted the request.*$/m)).not.toContain(
        token.split('.')[1],
      );
      await logged(todoApi, /aborted the request body/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const app of [proxy, todoApi]) {
        expect(plain(app)).not.toMatch(STACK_LINE);
        expect(plain(app)).not.toContain('ExceptionsHandler');
      }
      expect(plain(proxy).match(/the client aborted the request/g)).toHaveLength(1);
      expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    });

    it('answers a body stalled past PROXY_TIMEOUT_MS with 408 and one line, not a 504', async () => {
      const stalled = stalledPost(proxy.url, '/api/todos', token);
      const answer = await stalled.answer; // the proxy closes the connection with its 408
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('{"statusCode":408,"error":"request_timeout"}');
      const line = await logged(proxy, /^.*408 request body stalled.*$/m);
      expect(line).toContain('POST /api/todos:');
      expect(plain(proxy)).not.toMatch(STACK_LINE);
      expect(plain(proxy)).not.toMatch(/504 upstream/);
      expect((await write(`${proxy.url}/api/todos`, token, { title: 'after' })).status).toBe(201);
    });
  });
});
