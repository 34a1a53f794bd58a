import type { ProviderPreset } from './provider-preset.js';
import { EACH_AUDIENCE } from './provider-preset.js';

/** The built-in presets, by `provider` name (`OAUTH_PROVIDER`). */
export type ProviderName = 'generic' | 'fusionauth' | 'keycloak' | 'auth0' | 'entra' | 'cognito';

/** OAuth 2.0 as most servers write it: `scope` (RFC 8693 §4.2), `scp`, and a `roles` claim. */
const generic: ProviderPreset = {
  name: 'generic',
  scopes: [
    { claim: 'scope', format: 'space-separated' },
    { claim: 'scp', format: 'either' },
  ],
  roles: ['roles'],
};

/**
 * The presets of the operator contract (second edition, "Provider presets"). Each says where
 * that provider's access tokens keep scopes and roles, and what else they must hold.
 */
export const PROVIDER_PRESETS: Readonly<Record<ProviderName, ProviderPreset>> = {
  generic,
  /** FusionAuth: `roles` of the application, `scope`. */
  fusionauth: { ...generic, name: 'fusionauth' },
  /** Keycloak: realm roles and the roles of each accepted audience's client; `typ: Bearer`. */
  keycloak: {
    name: 'keycloak',
    scopes: [{ claim: 'scope', format: 'space-separated' }],
    roles: [
      ['realm_access', 'roles'],
      ['resource_access', EACH_AUDIENCE, 'roles'],
    ],
    claimRules: [{ claim: 'typ', equals: 'Bearer', whenPresent: true }],
  },
  /** Auth0: `scope` and RBAC `permissions`; roles only in a namespaced claim (`rolesClaim`). */
  auth0: {
    name: 'auth0',
    scopes: [
      { claim: 'scope', format: 'space-separated' },
      { claim: 'permissions', format: 'array' },
    ],
    roles: [],
  },
  /** Microsoft Entra ID: delegated scopes in `scp`, app roles in `roles`. */
  entra: {
    name: 'entra',
    scopes: [{ claim: 'scp', format: 'space-separated' }],
    roles: ['roles'],
  },
  /** Amazon Cognito: `scope`, `cognito:groups`; access tokens have `client_id`, not `aud`. */
  cognito: {
    name: 'cognito',
    scopes: [{ claim: 'scope', format: 'space-separated' }],
    roles: ['cognito:groups'],
    claimRules: [{ claim: 'token_use', equals: 'access' }],
    audienceFallbackClaim: 'client_id',
  },
};
