import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { ResourceServerModule } from 'nest-resource-server';
import { createResourceServerDocument } from 'nest-resource-server/openapi';
import { TestIssuer } from 'nest-resource-server/testing';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { WebSocket } from 'ws';
import { AUDIENCE, AppModule } from '../src/app.module';

/** The app as main.ts builds it, against `issuerUrl`, listening on a free port. */
async function start(issuerUrl: string): Promise<{ app: INestApplication; base: string }> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forIssuer(issuerUrl)] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  app.useWebSocketAdapter(new ResourceServerWsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}

describe('nest-resource-server installed in a Nest 11 app', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let base: string;
  const get = (path: string, token?: string, at = base) =>
    fetch(`${at}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: AUDIENCE });
    ({ app, base } = await start(issuer.url));
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

  describe('readiness with @nestjs/terminus (GET /health/ready)', () => {
    it("answers 200 with the issuer's keys under oauth", async () => {
      // with no key cached yet, the probe fetches the JWKS once itself: no wait needed
      const response = await get('/health/ready');
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({
        status: 'ok',
        error: {},
        info: { oauth: { status: 'up', jwt: { status: 'up', issuers: { [issuer.url]: { status: 'up', keys: 1 } } } } },
      });
      expect(body.details).toEqual(body.info);
    });

    it('answers 503 while the issuer refuses and no key was ever fetched, 200 once it answers', async () => {
      const down = await TestIssuer.start({ audience: AUDIENCE });
      await down.goDown('refuse');
      const other = await start(down.url);
      try {
        const response = await get('/health/ready', undefined, other.base);
        expect(response.status).toBe(503);
        expect(await response.json()).toMatchObject({
          status: 'error',
          info: {},
          error: {
            oauth: { status: 'down', jwt: { status: 'down', issuers: { [down.url]: { status: 'down' } } } },
          },
        });
        await down.comeBack();
        const back = await get('/health/ready', undefined, other.base);
        expect(back.status).toBe(200);
        expect(await back.json()).toMatchObject({ status: 'ok', info: { oauth: { status: 'up' } } });
      } finally {
        await other.app.close();
        await down.close();
      }
    });
  });

  describe('OpenAPI with @nestjs/swagger (createResourceServerDocument)', () => {
    let document: OpenAPIObject;
    const operation = (path: string) => document.paths[path]?.get;

    beforeAll(async () => {
      document = await createResourceServerDocument(app, new DocumentBuilder().setTitle('consumer').build());
    });

    it("declares the bearer scheme, and the issuer's discovery (it names no authorization endpoint)", () => {
      expect(document.components?.securitySchemes?.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      });
      expect(document.components?.securitySchemes?.oauth2).toEqual({
        type: 'openIdConnect',
        openIdConnectUrl: `${issuer.url}/.well-known/openid-configuration`,
      });
    });

    it('puts a bearer requirement and a 401 on a protected route, no 403 when it has no rule', () => {
      expect(operation('/me')?.security).toContainEqual({ bearer: [] });
      expect(operation('/me')?.responses).toHaveProperty('401');
      expect(operation('/me')?.responses).not.toHaveProperty('403');
    });

    it('requires bearer (no scopes) or oauth2 with the scope, and a 403 naming it, on a @RequireScope() route', () => {
      expect(document.openapi).toMatch(/^3\.0\./);
      // OpenAPI 3.0 §4.7.30: only oauth2/openIdConnect requirements may list scopes
      expect(operation('/admin')?.security).toContainEqual({ bearer: [] });
      expect(operation('/admin')?.security).toContainEqual({ oauth2: ['todo:write'] });
      expect(operation('/admin')?.responses?.['403']).toMatchObject({
        description: expect.stringContaining('todo:write'),
      });
    });

    it('puts no security on @Public() routes', () => {
      for (const path of ['/health', '/health/ready']) {
        expect(operation(path)).toBeDefined();
        expect(operation(path)).not.toHaveProperty('security');
        expect(operation(path)?.responses).not.toHaveProperty('401');
      }
    });
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
