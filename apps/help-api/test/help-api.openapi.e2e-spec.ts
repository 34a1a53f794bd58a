import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnApp, type SpawnedApp } from '../../../test/support/spawn-app.js';
import { startAuthServer, type RunningAuthServer } from '../../auth-server/src/auth-server.js';

// help-api serves its OpenAPI document (/docs-json) and Swagger UI (/docs), public, with the
// security its decorators declare and the dev authorization server's endpoints from discovery,
// under either strategy. Started with `npm run start:help-api`, as an operator does (Swagger UI
// on Fastify loads @fastify/static, an ES module Jest 29 cannot load in-process).

type Operation = {
  security?: Record<string, string[]>[];
  responses: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
};

const operation = (document: Document, path: string, method: string) => document.paths[path]![method]!;

// what the guard applies to each route of help-api (the operator contract's table, plus readiness)
const PUBLIC: [string, string][] = [
  ['/health', 'get'],
  ['/health/ready', 'get'],
  ['/articles', 'get'],
];
const ANY_TOKEN = [['/tickets', 'get']] as const;
const SCOPE_HELP_WRITE = [['/tickets', 'post']] as const;
const ROLE_SUPPORT = [['/admin/tickets', 'get']] as const;
const EVERY_ROUTE = [...PUBLIC, ...ANY_TOKEN, ...SCOPE_HELP_WRITE, ...ROLE_SUPPORT];

// OpenAPI 3.0 (§4.7.30): only oauth2 and openIdConnect requirements may list scopes
const requirement = (scopes: string[]) => [{ bearer: [] }, { cookie: [] }, { oauth2: scopes }];
const REJECTION = '#/components/schemas/ResourceServerRejection';

const CLIENT = { OAUTH_CLIENT_ID: 'help-api', OAUTH_CLIENT_SECRET: 'help-secret' }; // the dev auth-server's

describe.each([
  ['express', 'jwt'],
  ['fastify', 'jwt'],
  ['express', 'introspection'],
  ['fastify', 'introspection'],
])('help-api /docs on HTTP_PLATFORM=%s, OAUTH_STRATEGY=%s', (platform, strategy) => {
  let auth: RunningAuthServer;
  let api: SpawnedApp;
  let document: Document;

  beforeAll(async () => {
    auth = await startAuthServer({
      port: 0,
      host: '127.0.0.1',
      accessTokenTtlSeconds: 300,
      webOrigin: 'http://localhost:3000',
      bffOrigin: 'http://localhost:3005',
    });
    api = await spawnApp('help-api', {
      OAUTH_ISSUER: auth.url,
      OAUTH_STRATEGY: strategy,
      ...(strategy === 'introspection' ? CLIENT : {}),
      HTTP_PLATFORM: platform,
    });
    const response = await fetch(`${api.url}/docs-json`); // no token
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(async () => {
    await api?.stop();
    await auth?.close();
  });

  it('describes the bearer token as the strategy takes it, and the token cookie', () => {
    const { bearer, cookie } = document.components.securitySchemes;
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    if (strategy === 'jwt') expect(bearer).toHaveProperty('bearerFormat', 'JWT');
    else expect(bearer).not.toHaveProperty('bearerFormat'); // opaque tokens: no format to announce
    expect(cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'app.at' });
  });

  it('names the OAuth 2 authorization code flow with the issuer endpoints and the one scope a route needs', async () => {
    const metadata = (await (await fetch(`${auth.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    const { oauth2 } = document.components.securitySchemes;
    expect(oauth2).toMatchObject({
      type: 'oauth2',
      flows: {
        authorizationCode: { authorizationUrl: metadata.authorization_endpoint, tokenUrl: metadata.token_endpoint },
      },
    });
    const { scopes } = (oauth2 as { flows: { authorizationCode: { scopes: Record<string, string> } } }).flows
      .authorizationCode;
    expect(Object.keys(scopes)).toEqual(['help:write']);
    expect(scopes['help:write']).toEqual(expect.any(String));
  });

  it('documents every route of help-api, and no other', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(EVERY_ROUTE.map(([path, method]) => `${method.toUpperCase()} ${path}`).sort());
  });

  it.each(PUBLIC)('leaves the public %s (%s) without security, 401 or 403', (path, method) => {
    const { security, responses } = operation(document, path, method);
    expect(security).toBeUndefined();
    expect(responses['401']).toBeUndefined();
    expect(responses['403']).toBeUndefined();
  });

  it('puts GET /tickets under any valid token: no scope, a 401, no 403', () => {
    const { security, responses } = operation(document, '/tickets', 'get');
    expect(security).toEqual(requirement([]));
    expect(responses['401']?.content?.['application/json']?.schema?.$ref).toBe(REJECTION);
    expect(responses['403']).toBeUndefined();
  });

  it('puts POST /tickets under scope help:write, listed in the oauth2 requirement only', () => {
    expect(document.openapi).toMatch(/^3\.0\./); // where a bearer requirement must list no scope
    expect(operation(document, '/tickets', 'post').security).toEqual(requirement(['help:write']));
  });

  it('gives POST /tickets a 401 and a 403 naming help:write', () => {
    const { responses } = operation(document, '/tickets', 'post');
    expect(responses['401']?.content?.['application/json']?.schema?.$ref).toBe(REJECTION);
    expect(responses['403']?.description).toContain('help:write');
    expect(responses['403']?.content?.['application/json']?.schema?.$ref).toBe(REJECTION);
  });

  it('puts GET /admin/tickets under the support role: no scope, a 401, and a 403 naming no scope', () => {
    const { security, responses } = operation(document, '/admin/tickets', 'get');
    expect(security).toEqual(requirement([]));
    expect(responses['401']).toBeDefined();
    expect(responses['403']).toBeDefined();
    expect(responses['403']?.description).not.toContain('help:write');
  });

  it('serves Swagger UI without a token', async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const script = await fetch(`${api.url}/docs/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
  });
});
