import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnApp, type SpawnedApp } from '../../../test/support/spawn-app.js';
import { startAuthServer, type RunningAuthServer } from '../../auth-server/src/auth-server.js';

// The sample serves its OpenAPI document (/docs-json) and Swagger UI (/docs), public, with the
// security its decorators declare and the dev authorization server's endpoints from discovery.
// Started with `npm run start:todo-api`, as an operator does (Swagger UI on Fastify loads
// @fastify/static, an ES module Jest 29 cannot load in-process).

type Operation = { security?: Record<string, string[]>[]; responses: Record<string, unknown> };

const operation = (document: { paths: Record<string, Record<string, Operation>> }, path: string, method: string) =>
  document.paths[path]![method]!;

describe.each(['express', 'fastify'])('todo-api /docs on HTTP_PLATFORM=%s', (platform) => {
  let auth: RunningAuthServer;
  let api: SpawnedApp;
  let document: { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

  beforeAll(async () => {
    auth = await startAuthServer({
      port: 0,
      host: '127.0.0.1',
      accessTokenTtlSeconds: 300,
      webOrigin: 'http://localhost:3000',
      bffOrigin: 'http://localhost:3005',
    });
    api = await spawnApp('todo-api', { OAUTH_ISSUER: auth.url, HTTP_PLATFORM: platform });
    const response = await fetch(`${api.url}/docs-json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as typeof document;
  });
  afterAll(async () => {
    await api?.stop();
    await auth?.close();
  });

  it('names the OAuth 2 authorization code flow with the issuer endpoints and the scopes the routes need', async () => {
    const metadata = (await (await fetch(`${auth.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(document.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'app.at' },
      oauth2: {
        type: 'oauth2',
        flows: {
          authorizationCode: {
            authorizationUrl: metadata.authorization_endpoint,
            tokenUrl: metadata.token_endpoint,
            scopes: { 'todo:write': expect.any(String) },
          },
        },
      },
    });
  });

  it('puts each route under the rule the guard applies', () => {
    expect(operation(document, '/todos', 'post').security).toEqual([
      { bearer: [] },
      { cookie: [] },
      { oauth2: ['todo:write'] },
    ]);
    expect(operation(document, '/todos', 'get').security).toContainEqual({ bearer: [] });
    expect(operation(document, '/todos/{id}', 'delete').responses['403']).toBeDefined(); // the admin role
    expect(operation(document, '/health', 'get').security).toBeUndefined();
    expect(operation(document, '/health', 'get').responses['401']).toBeUndefined();
  });

  it('serves Swagger UI without a token', async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const script = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
  });
});
