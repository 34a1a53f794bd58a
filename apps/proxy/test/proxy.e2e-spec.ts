import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { REFUSED_PORT } from '../../../test/support/loopback.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../../todo-api/src/todo-api.module.js';
import { ProxyModule } from '../src/proxy.module.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An upstream that records what reached it; `hang` makes it never answer. */
async function recordingUpstream(): Promise<{ server: Server; url: string; seen: Seen[]; mode: { hang: boolean } }> {
  const seen: Seen[] = [];
  const mode = { hang: false };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (mode.hang) return;
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, mode };
}

/** The page origin the proxy trusts (its CORS_ORIGINS) for cookie-borne writes. */
const WEB_ORIGIN = 'http://web.test';

describe('proxy (validates, then forwards to another site)', () => {
  let issuer: TestIssuer;
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  let todoApi: RunningApp;
  let toEcho: RunningApp;
  let toTodoApi: RunningApp;
  let toNowhere: RunningApp;
  const cookie = (claims: Record<string, unknown> = {}) =>
    `app.at=${issuer.token({ claims })}; app.rt=refresh; theme=dark`;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    upstream = await recordingUpstream();
    const env = { OAUTH_ISSUER: issuer.url, OAUTH_AUDIENCE: 'todo-api,help-api', CORS_ORIGINS: WEB_ORIGIN };
    const start = (target: string, timeoutMs = 2000) =>
      startSampleApp(
        (options) => ProxyModule.forRoot(options, { upstream: target, mountPath: '/api', timeoutMs }),
        { port: 3004, audience: 'todo-api' },
        env,
      );
    todoApi = await startSampleApp(
      (o) => TodoApiModule.forRoot(o),
      { port: 3001, audience: 'todo-api' },
      { OAUTH_ISSUER: issuer.url },
    );
    toEcho = await start(upstream.url, 500);
    toTodoApi = await start(todoApi.url.replace('127.0.0.1', 'localhost'));
    toNowhere = await start(`http://127.0.0.1:${REFUSED_PORT}`);
  });
  afterAll(async () => {
    await Promise.all([toEcho, toTodoApi, toNowhere, todoApi].map((app) => app.close()));
    upstream.server.close();
    await issuer.close();
  });
  beforeEach(() => {
    upstream.seen.length = 0;
    upstream.mode.hang = false;
  });

  it('forwards a valid cookie token as Authorization: Bearer and drops every cookie', async () => {
    const response = await request(toEcho.app.getHttpServer()).get('/api/todos?x=1').set('Cookie', cookie());
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(upstream.seen).toHaveLength(1);
    const [seen] = upstream.seen;
    expect(seen!.url).toBe('/todos?x=1');
    expect(seen!.headers.cookie).toBeUndefined();
    expect(seen!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each<[string, () => Record<string, string>]>([
    ['no token', () => ({})],
    ['an invalid token', () => ({ cookie: 'app.at=not-a-jwt' })],
    ['an expired token', () => ({ cookie: `app.at=${issuer.token({ expiresInSeconds: -120 })}` })],
  ])('answers 401 to %s and forwards nothing', async (_name, headers) => {
    const response = await request(toEcho.app.getHttpServer()).get('/api/todos').set(headers());
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="todo-api"/);
    expect(upstream.seen).toHaveLength(0);
  });

  it('streams a request body through to the real todo-api, which validates again', async () => {
    const server = toTodoApi.app.getHttpServer();
    const created = await request(server)
      .post('/api/todos')
      .set('Cookie', cookie({ sub: 'proxied', scope: 'todo:write' }))
      .set('Origin', WEB_ORIGIN)
      .send({ title: 'via the proxy' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ owner: 'proxied', title: 'via the proxy' });
    const listed = await request(server)
      .get('/api/todos')
      .set('Cookie', cookie({ sub: 'proxied' }));
    expect(listed.body.map((t: { title: string }) => t.title)).toEqual(['via the proxy']);
  });

  it.each([
    ['no Origin', {}],
    ['an untrusted Origin', { origin: 'http://evil.test' }],
  ])('refuses a cookie-borne write with %s (403 csrf_rejected) and forwards nothing', async (_case, origin) => {
    const response = await request(toEcho.app.getHttpServer())
      .post('/api/todos')
      .set({ cookie: cookie({ scope: 'todo:write' }), ...origin })
      .send({ title: 'forged' });
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.body).toMatchObject({ error: 'csrf_rejected', reason: 'csrf_rejected' });
    expect(upstream.seen).toHaveLength(0);
  });

  it('passes on the upstream’s own refusal: a help-api token the proxy accepts is 401 at todo-api', async () => {
    const response = await request(toTodoApi.app.getHttpServer())
      .get('/api/me')
      .set('Cookie', cookie({ aud: 'help-api' }));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error_description="token audience is not accepted"');
  });

  it('answers 502 when the upstream refuses connections', async () => {
    const response = await request(toNowhere.app.getHttpServer()).get('/api/todos').set('Cookie', cookie());
    expect(response.status).toBe(502);
    expect(response.body).toEqual({ statusCode: 502, error: 'bad_gateway' });
  });

  it('answers 504 within the time limit when the upstream hangs', async () => {
    upstream.mode.hang = true;
    const started = performance.now();
    const response = await request(toEcho.app.getHttpServer()).get('/api/todos').set('Cookie', cookie());
    expect(response.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(500 + 700);
  });

  it('answers /health without a token', async () => {
    await request(toEcho.app.getHttpServer()).get('/health').expect(200);
  });
});
