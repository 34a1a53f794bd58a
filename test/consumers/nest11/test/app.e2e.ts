import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ResourceServerModule } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { WebSocket } from 'ws';
import { AUDIENCE, AppModule } from '../src/app.module';

describe('nest-resource-server installed in a Nest 11 app', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let base: string;
  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: AUDIENCE });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forIssuer(issuer.url)] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    app.useWebSocketAdapter(new ResourceServerWsAdapter(app));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('loads the module from the package', () => {
    expect(typeof ResourceServerModule.forRoot).toBe('function');
  });

  it('answers 401 with a Bearer challenge without a token', async () => {
    const response = await get('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"/);
  });

  it('answers 200 with the claims for a valid token', async () => {
    const response = await get('/me', issuer.token({ claims: { sub: 'alice' } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'alice' });
  });

  it('answers 200 on a @Public() route without a token', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 403 insufficient_scope when the token lacks the scope', async () => {
    const response = await get('/admin', issuer.token({ claims: { scope: 'todo:read' } }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const allowed = await get('/admin', issuer.token({ claims: { scope: 'todo:write' } }));
    expect(allowed.status).toBe(200);
  });

  describe('a WebSocket gateway behind ResourceServerWsAdapter', () => {
    /** Opens `/live`; resolves with the socket, or with the HTTP status the upgrade was refused with. */
    const open = (token?: string) =>
      new Promise<WebSocket | number>((resolve, reject) => {
        const socket = new WebSocket(`${base.replace('http', 'ws')}/live`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        socket.once('open', () => resolve(socket));
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('error', reject);
      });
    const ask = (socket: WebSocket, event: string) =>
      new Promise<{ event: string; data: unknown }>((resolve) => {
        socket.once('message', (data) => resolve(JSON.parse(String(data))));
        socket.send(JSON.stringify({ event }));
      });

    it('refuses the upgrade without a token (401)', async () => {
      expect(await open()).toBe(401);
    });

    it('admits a token at the handshake; @Claim() reads it; @RequireScope() refuses in-band (403)', async () => {
      const socket = await open(issuer.token({ claims: { sub: 'alice', scope: 'todo:read' } }));
      expect(socket).toBeInstanceOf(WebSocket);
      const ws = socket as WebSocket;
      try {
        expect(await ask(ws, 'whoami')).toEqual({ event: 'whoami', data: 'alice' });
        expect(await ask(ws, 'admin')).toMatchObject({
          event: 'exception',
          data: { status: 403, reason: 'scope_missing' },
        });
      } finally {
        ws.close();
      }
    });
  });
});
