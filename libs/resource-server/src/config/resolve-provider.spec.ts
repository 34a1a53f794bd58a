import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options-from-env.js';
import { PROVIDER_PRESETS } from './presets/provider-presets.js';
import { resolveOptions } from './resolve-options.js';

const base = { issuer: 'https://issuer.example', audience: ['todo-api', 'com.example.todo'] };

describe('provider presets, resolved', () => {
  it('leaves the default presets to the guard’s built-in reading (scope, scp, rolesClaim)', () => {
    for (const provider of [undefined, 'generic', 'fusionauth'] as const) {
      const resolved = resolveOptions({ ...base, provider });
      expect([resolved.claimSources, resolved.claimRules, resolved.audienceFallbackClaim]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      expect(resolved.provider).toBe(provider ?? 'generic');
    }
  });

  it('keycloak: realm roles and the roles of each accepted audience, by exact path; typ Bearer', () => {
    const resolved = resolveOptions({ ...base, provider: 'keycloak' });
    expect(resolved.claimSources).toEqual({
      scopes: [{ claim: 'scope', format: 'space-separated' }],
      roles: [
        ['realm_access', 'roles'],
        ['resource_access', 'todo-api', 'roles'],
        ['resource_access', 'com.example.todo', 'roles'],
      ],
    });
    expect(resolved.claimRules).toEqual([{ claim: 'typ', equals: 'Bearer', whenPresent: true }]);
  });

  it('auth0: scope and permissions; no roles unless rolesClaim names them', () => {
    const resolved = resolveOptions({ ...base, provider: 'auth0' });
    expect(resolved.claimSources).toEqual({ scopes: PROVIDER_PRESETS.auth0.scopes, roles: [] });
    const named = resolveOptions({ ...base, provider: 'auth0', rolesClaim: 'https://example.com/roles' });
    expect(named.claimSources?.roles).toEqual(['https://example.com/roles']);
  });

  it('cognito: token_use access, client_id when there is no aud, cognito:groups', () => {
    const resolved = resolveOptions({ ...base, provider: 'cognito' });
    expect(resolved.claimRules).toEqual([{ claim: 'token_use', equals: 'access' }]);
    expect(resolved.audienceFallbackClaim).toBe('client_id');
    expect(resolved.claimSources?.roles).toEqual(['cognito:groups']);
  });

  it('entra: scp, space separated; roles', () => {
    expect(resolveOptions({ ...base, provider: 'entra' }).claimSources).toEqual({
      scopes: [{ claim: 'scp', format: 'space-separated' }],
      roles: ['roles'],
    });
  });

  it('takes a preset of the user’s own', () => {
    const mine = { name: 'mine', scopes: [], roles: [['x', 'y.z']] };
    expect(resolveOptions({ ...base, provider: mine }).claimSources).toEqual({ scopes: [], roles: [['x', 'y.z']] });
  });

  it('reads OAUTH_PROVIDER, and OAUTH_ROLES_CLAIM still overrides the roles', () => {
    const options = optionsFromEnv({
      OAUTH_ISSUER: base.issuer,
      OAUTH_AUDIENCE: 'todo-api',
      OAUTH_PROVIDER: 'keycloak',
      OAUTH_ROLES_CLAIM: 'groups',
    });
    expect(options.provider).toBe('keycloak');
    expect(resolveOptions(options).claimSources?.roles).toEqual(['groups']);
  });
});
