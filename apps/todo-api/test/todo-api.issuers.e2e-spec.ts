import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ResourceServerConfigError } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { sampleApiConfigFromEnv } from '../../shared/src/sample-api.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const served = (issuer: TestIssuer) => [...issuer.hits.values()].reduce((sum, n) => sum + n, 0);

/**
 * todo-api with two issuers (`OAUTH_ISSUER` a list, `OAUTH_JWKS_URI` in the same order) and
 * the keycloak preset (`OAUTH_PROVIDER`), configured only by the contract's variables.
 */
describe.each(['express', 'fastify'])('todo-api with several issuers and a preset (HTTP_PLATFORM=%s)', (platform) => {
  let realmA: TestIssuer;
  let realmB: TestIssuer;
  let stranger: TestIssuer;
  let app: RunningApp;

  beforeAll(async () => {
    const started = await Promise.all([0, 1, 2].map(() => TestIssuer.start({ audience: 'todo-api' })));
    [realmA, realmB, stranger] = started as [TestIssuer, TestIssuer, TestIssuer];
    app = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      HTTP_PLATFORM: platform,
      OAUTH_ISSUER: `${realmA.url},${realmB.url}`,
      OAUTH_JWKS_URI: `${realmA.jwksUri},${realmB.jwksUri}`,
      OAUTH_PROVIDER: 'keycloak',
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([realmA, realmB, stranger].map((issuer) => issuer?.close()));
  });

  const call = (method: string, path: string, token: string) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ title: 'x' }) : undefined,
    });
  // a Keycloak access token: typ claim Bearer, roles of the realm and of the todo-api client
  const keycloakToken = (issuer: TestIssuer, claims: Record<string, unknown> = {}) =>
    issuer.token({ claims: { typ: 'Bearer', scope: 'openid todo:write', ...claims } });

  it('accepts the tokens of both issuers', async () => {
    for (const issuer of [realmA, realmB]) {
      const response = await call('GET', '/me', keycloakToken(issuer));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { iss: string }).iss).toBe(issuer.url);
    }
  });

  it('refuses an unlisted issuer with issuer_mismatch and asks it nothing', async () => {
    const response = await call('GET', '/me', keycloakToken(stranger));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(((await response.json()) as { reason: string }).reason).toBe('issuer_mismatch');
    expect(served(stranger)).toBe(0);
  });

  it('reads the role of DELETE /todos/:id from the client roles of the audience (keycloak)', async () => {
    const created = await call('POST', '/todos', keycloakToken(realmB, { sub: 'kc-user' }));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const user = keycloakToken(realmB, { sub: 'kc-user', roles: ['admin'] }); // a plain roles claim is not Keycloak's
    expect((await call('DELETE', `/todos/${id}`, user)).status).toBe(403);
    const admin = keycloakToken(realmB, { sub: 'kc-user', resource_access: { 'todo-api': { roles: ['admin'] } } });
    expect((await call('DELETE', `/todos/${id}`, admin)).status).toBe(204);
  });

  it('refuses a Keycloak token whose typ claim is not Bearer', async () => {
    const response = await call('GET', '/me', keycloakToken(realmA, { typ: 'Refresh' }));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { reason: string }).reason).toBe('token_type_not_accepted');
  });
});

/**
 * Each row of the contract's preset table through todo-api: where POST /todos finds
 * `todo:write` and DELETE /todos/:id finds the `admin` role, and what else the preset demands.
 */
interface PresetRow {
  readonly provider: string;
  readonly env?: Record<string, string>;
  /** Claims of an access token with todo:write and the admin role, as that provider writes them. */
  readonly admin: Record<string, unknown>;
  /** The same token without the scope and the role where the preset reads them. */
  readonly plain: Record<string, unknown>;
  /** A token the preset alone refuses, and why. */
  readonly refused?: readonly [Record<string, unknown>, string];
}
const PRESET_ROWS: readonly PresetRow[] = [
  { provider: 'generic', admin: { scp: ['todo:write'], roles: ['admin'] }, plain: { scope: 'openid', roles: [] } },
  { provider: 'fusionauth', admin: { scope: 'todo:write', roles: ['admin'] }, plain: { scope: 'openid' } },
  {
    provider: 'auth0',
    env: { OAUTH_ROLES_CLAIM: 'https://todo.example.com/roles' },
    admin: { scope: 'openid', permissions: ['todo:write'], 'https://todo.example.com/roles': ['admin'] },
    plain: { scope: 'openid', permissions: ['todo:read'], roles: ['admin'] },
  },
  {
    provider: 'entra',
    admin: { scp: 'todo:write', roles: ['admin'] },
    plain: { scope: 'todo:write', scp: 'todo:read', roles: [] },
  },
  {
    provider: 'cognito',
    admin: {
      aud: undefined,
      client_id: 'todo-api',
      token_use: 'access',
      scope: 'todo:write',
      'cognito:groups': ['admin'],
    },
    plain: { aud: undefined, client_id: 'todo-api', token_use: 'access', scope: 'openid', roles: ['admin'] },
    refused: [
      { aud: undefined, client_id: 'other-client', token_use: 'access', scope: 'todo:write' },
      'audience_mismatch',
    ],
  },
  {
    provider: 'keycloak',
    env: { OAUTH_ROLES_CLAIM: 'groups' },
    admin: { typ: 'Bearer', scope: 'todo:write', groups: ['admin'] },
    plain: { typ: 'Bearer', scope: 'openid', resource_access: { 'todo-api': { roles: ['admin'] } } },
    refused: [{ typ: 'ID', scope: 'todo:write' }, 'token_type_not_accepted'],
  },
];

describe.each(['express', 'fastify'])('todo-api with each OAUTH_PROVIDER preset (HTTP_PLATFORM=%s)', (platform) => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
  });
  afterAll(() => issuer?.close());

  it.each(PRESET_ROWS.map((row) => [row.provider, row] as const))(
    '%s: the scope and the role where the preset reads them, and nowhere else',
    async (_provider, row) => {
      const app = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
        HTTP_PLATFORM: platform,
        OAUTH_ISSUER: issuer.url,
        OAUTH_PROVIDER: row.provider,
        ...row.env,
      });
      try {
        const call = (method: string, path: string, claims: Record<string, unknown>) =>
          fetch(`${app.url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${issuer.token({ claims: { sub: 'preset-user', ...claims } })}`,
              'content-type': 'application/json',
            },
            body: method === 'POST' ? JSON.stringify({ title: row.provider }) : undefined,
          });
        const reasonOf = async (response: Response) => ((await response.json()) as { reason: string }).reason;
        const created = await call('POST', '/todos', row.admin);
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const withoutScope = await call('POST', '/todos', row.plain);
        expect([withoutScope.status, await reasonOf(withoutScope)]).toEqual([403, 'scope_missing']);
        const withoutRole = await call('DELETE', `/todos/${id}`, row.plain);
        expect([withoutRole.status, await reasonOf(withoutRole)]).toEqual([403, 'role_missing']);
        expect((await call('DELETE', `/todos/${id}`, row.admin)).status).toBe(204);
        if (row.refused) {
          const [claims, reason] = row.refused;
          const response = await call('GET', '/me', claims);
          expect([response.status, await reasonOf(response)]).toEqual([401, reason]);
        }
      } finally {
        await app.close();
      }
    },
  );
});

describe('todo-api start-up with several issuers and presets', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      sampleApiConfigFromEnv(env, DEFAULTS);
    } catch (error) {
      if (error instanceof ResourceServerConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it.each<[string, Record<string, string>, string]>([
    ['an unknown OAUTH_PROVIDER', { OAUTH_PROVIDER: 'okta' }, 'OAUTH_PROVIDER: '],
    ['a malformed issuer in the list', { OAUTH_ISSUER: 'http://a.example,nope' }, 'OAUTH_ISSUER: '],
    [
      'several issuers with introspection',
      {
        OAUTH_ISSUER: 'http://a.example,http://b.example',
        OAUTH_STRATEGY: 'introspection',
        OAUTH_CLIENT_ID: 'todo-api',
        OAUTH_CLIENT_SECRET: 'secret',
      },
      'OAUTH_ISSUER: ',
    ],
    [
      'OAUTH_JWKS_URI of another length',
      { OAUTH_ISSUER: 'http://a.example,http://b.example', OAUTH_JWKS_URI: 'http://a.example/jwks' },
      'OAUTH_JWKS_URI: ',
    ],
  ])('stops on %s with one line naming the variable', (_case, env, start) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith(start)).toBe(true);
  });
});
