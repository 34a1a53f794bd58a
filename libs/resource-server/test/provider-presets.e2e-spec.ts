import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, type Type } from '@nestjs/common';
import { RequireRole, RequireScope, type ResourceServerOptions } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';
import { START_MS } from './support/probe-suite.js';
import { PROVIDER_FIXTURES, type ProviderFixture } from './support/provider-tokens.js';

/** Routes needing the fixture's scope or role, as an API protected for that provider would. */
function presetController(fixture: ProviderFixture): Type {
  @Controller('preset')
  class PresetController {
    @Get('any')
    any(): string {
      return 'ok';
    }

    @RequireScope(fixture.scope)
    @Get('scope')
    scope(): string {
      return 'ok';
    }

    @RequireRole(fixture.role)
    @Get('role')
    role(): string {
      return 'ok';
    }
  }
  return PresetController;
}

const cases = PLATFORMS.flatMap((platform) =>
  PROVIDER_FIXTURES.map((fixture) => [platform, fixture.provider, fixture] as const),
);

/** The fixture's claims alone: none of the test issuer's defaults (`aud`, `scope`, `jti`, `sub`). */
const only = (claims: Record<string, unknown>) => ({
  sub: undefined,
  aud: undefined,
  jti: undefined,
  scope: undefined,
  ...claims,
});

/**
 * Provider presets (contract, second edition) against tokens shaped as each provider
 * documents them, signed with the test issuer's real keys and run through the real guard.
 */
describe.each(cases)('provider presets (%s): %s', (platform, _name, fixture) => {
  let now = START_MS;
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];

  beforeEach(async () => {
    now = START_MS;
    issuer = await TestIssuer.start({ audience: fixture.audience, clock: () => now });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer.close();
  });

  async function start(options: Partial<ResourceServerOptions> = {}): Promise<INestApplication> {
    const app = await createProbeApp(
      {
        // the provider's issuer name, the keys of the test issuer
        issuer: [{ issuer: fixture.issuer, jwksUri: issuer.jwksUri }],
        audience: fixture.audience,
        provider: fixture.provider,
        rolesClaim: fixture.rolesClaim,
        clock: () => now,
        ...options,
      },
      { platform, controllers: [presetController(fixture)] },
    );
    apps.push(app);
    return app;
  }
  const mint = (claims: Record<string, unknown>) =>
    issuer.token({ claims: { ...only(claims), iss: fixture.issuer }, header: { typ: fixture.typ } });
  const get = (app: INestApplication, token: string, path: string) =>
    request(app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`);

  it('accepts the access token, with its scope and its role where the provider puts them', async () => {
    const app = await start();
    const token = mint(fixture.accessToken);
    await get(app, token, '/preset/any').expect(200);
    await get(app, token, '/preset/scope').expect(200);
    await get(app, token, '/preset/role').expect(200);
  });

  it('refuses the id token of the same login, although it carries the API audience', async () => {
    const app = await start();
    const response = await get(app, mint(fixture.idToken), '/preset/any');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(response.body.reason).toBe('token_type_not_accepted');
  });

  it('refuses an access token for another audience', async () => {
    const app = await start();
    const claims = { ...fixture.accessToken, aud: 'another-api', client_id: 'another-api' };
    const response = await get(app, mint(claims), '/preset/any');
    expect(response.status).toBe(401);
    expect(response.body.reason).toBe('audience_mismatch');
  });

  it('answers 403 when the access token lacks the scope or the role', async () => {
    const app = await start();
    const bare = mint(withoutGrants(fixture));
    const scope = await get(app, bare, '/preset/scope');
    expect([scope.status, scope.body.reason]).toEqual([403, 'scope_missing']);
    const role = await get(app, bare, '/preset/role');
    expect([role.status, role.body.reason]).toEqual([403, 'role_missing']);
  });
});

/** The fixture's access token with its scope and role taken out of every place they were. */
function withoutGrants({ accessToken: claims, scope, role }: ProviderFixture): Record<string, unknown> {
  const drop = (value: unknown, name: string): unknown =>
    typeof value === 'string'
      ? value
          .split(' ')
          .filter((v) => v !== name)
          .join(' ')
      : Array.isArray(value)
        ? value.filter((v) => v !== name)
        : value;
  const walk = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
      : drop(drop(value, scope), role);
  return walk(claims) as Record<string, unknown>;
}

describe.each(PLATFORMS)('provider presets, what each adds (%s)', (platform) => {
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];
  const fixture = (name: string) => PROVIDER_FIXTURES.find((f) => f.provider === name)!;

  beforeEach(async () => {
    issuer = await TestIssuer.start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer.close();
  });

  async function start(f: ProviderFixture, options: Partial<ResourceServerOptions> = {}) {
    const app = await createProbeApp(
      { issuer: issuer.url, audience: f.audience, provider: f.provider, ...options },
      { platform, controllers: [presetController(f)] },
    );
    apps.push(app);
    return app;
  }
  const get = (app: INestApplication, token: string, path: string) =>
    request(app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`);
  const mint = (f: ProviderFixture, claims: Record<string, unknown> = {}) =>
    issuer.token({ claims: { ...only(f.accessToken), ...claims, iss: issuer.url } });

  it('keycloak: refuses a typ claim other than Bearer', async () => {
    const kc = fixture('keycloak');
    const app = await start(kc);
    const response = await get(app, mint(kc, { typ: 'Refresh' }), '/preset/any');
    expect([response.status, response.body.reason]).toEqual([401, 'token_type_not_accepted']);
    await get(app, mint(kc, { typ: undefined }), '/preset/any').expect(200); // optional
  });

  it('keycloak: takes realm roles too, and never the roles of another client', async () => {
    const kc = fixture('keycloak');
    const app = await start(kc);
    const realm = mint(kc, { realm_access: { roles: ['admin'] }, resource_access: {} });
    await get(app, realm, '/preset/role').expect(200);
    const otherClient = mint(kc, { realm_access: { roles: [] }, resource_access: { account: { roles: ['admin'] } } });
    await get(app, otherClient, '/preset/role').expect(403);
  });

  it('auth0: reads roles only from the namespaced claim given as rolesClaim', async () => {
    const a0 = fixture('auth0');
    const without = await start(a0);
    await get(without, mint(a0), '/preset/role').expect(403);
    const withClaim = await start(a0, { rolesClaim: 'https://todo.example.com/roles' });
    await get(withClaim, mint(a0), '/preset/role').expect(200);
  });

  it('generic: does not read auth0 permissions as scopes', async () => {
    const a0 = fixture('auth0');
    const app = await start(a0, { provider: 'generic' });
    await get(app, mint(a0), '/preset/scope').expect(403);
  });

  it('entra: reads scopes from scp only, not from scope', async () => {
    const entra = fixture('entra');
    const app = await start(entra);
    await get(app, mint(entra, { scp: undefined, scope: entra.scope }), '/preset/scope').expect(403);
  });

  it('cognito: requires token_use access and matches client_id only when there is no aud', async () => {
    const cognito = fixture('cognito');
    const app = await start(cognito);
    const noUse = await get(app, mint(cognito, { token_use: undefined }), '/preset/any');
    expect([noUse.status, noUse.body.reason]).toEqual([401, 'token_type_not_accepted']);
    const otherAud = await get(app, mint(cognito, { aud: 'another-api' }), '/preset/any');
    expect([otherAud.status, otherAud.body.reason]).toEqual([401, 'audience_mismatch']);
  });

  it('a preset of your own: claims with dots in their names, by array path', async () => {
    const f = fixture('keycloak');
    const app = await start(f, {
      provider: {
        name: 'mine',
        scopes: [{ claim: ['https://example.com/claims', 'scopes'], format: 'array' }],
        roles: [['https://example.com/claims', 'roles.v2']],
      },
    });
    const token = issuer.token({
      claims: {
        aud: f.audience,
        'https://example.com/claims': { scopes: [f.scope], 'roles.v2': [f.role] },
      },
    });
    await get(app, token, '/preset/scope').expect(200);
    await get(app, token, '/preset/role').expect(200);
  });
});
