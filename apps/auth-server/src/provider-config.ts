import type { JsonWebKey } from 'node:crypto';
import {
  errors,
  type ClientModel,
  type Configuration,
  type KoaContextWithOIDC,
  type StructuredJwt,
  type TokenModel,
} from 'oidc-provider';
import type { AuthServerConfig } from './auth-server-config.js';
import { findDevUser, userClaims } from './dev-users.js';
import { errorPage, logoutPage } from './pages.js';
import { ACR_VALUES, authenticationClaims, stepUpInteractionPolicy } from './step-up.js';

/** The `aud` of every access token: both sample APIs accept the same token (one cookie, many APIs). */
export const API_AUDIENCES: readonly string[] = ['todo-api', 'help-api'];

/**
 * The RFC 8707 resource indicator every access token is issued for. Clients never send it:
 * `defaultResource` picks it, so a plain Authorization Code request gets a JWT for the APIs.
 */
export const API_RESOURCE = 'urn:nest-resource-server:sample-apis';

/** Scopes clients may request; the granted ones end up in the access token's `scope`. */
export const SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access', 'todo:write', 'help:write'];

/** Which user claims each scope releases (ID token and userinfo); `roles` rides with `profile`. */
export const CLAIMS_BY_SCOPE: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: ['name', 'roles'],
  email: ['email', 'email_verified'],
};

/** Resource servers allowed to call the introspection endpoint (`client_secret_basic`), by client id. */
export const RESOURCE_SERVER_CLIENTS: ReadonlyMap<string, string> = new Map([
  ['help-api', 'help-secret'],
  ['todo-api', 'todo-secret'],
]);

/** Keys made at start-up: nothing secret is checked in. */
export interface ProviderKeys {
  /** Private signing keys (JWK, with `kid`); oidc-provider publishes their public halves at `jwks_uri`. */
  readonly jwks: { keys: readonly JsonWebKey[] };
  /** Secrets that sign the provider's own cookies. */
  readonly cookieKeys: readonly string[];
}

/**
 * The oidc-provider configuration of the dev server: two confidential first-party clients
 * (`web`, `bff`) doing Authorization Code + PKCE with rotating refresh tokens, two resource
 * servers that may introspect, RS256 JWT access tokens for both APIs, and the in-memory
 * adapter (oidc-provider's default when `adapter` is unset): development only.
 */
export function providerConfiguration(config: AuthServerConfig, keys: ProviderKeys): Configuration {
  const ttl = config.accessTokenTtlSeconds;
  return {
    jwks: { keys: [...keys.jwks.keys] },
    cookies: { keys: [...keys.cookieKeys] },
    clients: [
      firstPartyClient('web', 'web-secret', config.webOrigin),
      firstPartyClient('bff', 'bff-secret', config.bffOrigin),
      ...[...RESOURCE_SERVER_CLIENTS].map(([clientId, secret]) => ({
        client_id: clientId,
        client_secret: secret,
        grant_types: [],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
    ],
    // code flow only: no implicit or hybrid responses, so no tokens in browser URLs
    responseTypes: ['code'],
    scopes: [...SCOPES],
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])),
    // the web app reads name, email and roles from the ID token; don't keep them for userinfo only
    conformIdTokenClaims: false,
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const user = findDevUser(sub);
      return user && { accountId: user.sub, claims: () => userClaims(user) };
    },
    pkce: { required: () => true },
    // oidc-provider drops offline_access unless the request says prompt=consent (OIDC Core §11);
    // a first-party client gets its (session-bound) refresh token without that extra parameter
    issueRefreshToken: (_ctx: KoaContextWithOIDC, client: ClientModel) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // bind every token to the login session, so that logging out revokes the grant (and with it
    // refresh tokens and, through introspection, access tokens) even with offline_access
    expiresWithSession: () => true,
    extraTokenClaims: (ctx: KoaContextWithOIDC, token: TokenModel) => ({
      roles: [...(findDevUser(token.accountId ?? '')?.roles ?? [])],
      // acr, amr, auth_time: what an API needs to ask for a step-up (RFC 9470)
      ...authenticationClaims(ctx, token),
    }),
    // step-up: acr_values=mfa asks for the dev one-time code after the password (step-up.ts)
    acrValues: [...ACR_VALUES],
    interactions: { policy: stepUpInteractionPolicy() },
    formats: {
      customizers: {
        // RFC 8707 allows one audience per resource; the APIs share one token, so widen `aud`
        jwt: (_ctx: KoaContextWithOIDC, _token: TokenModel, jwt: StructuredJwt) => {
          jwt.payload.aud = [...API_AUDIENCES];
        },
      },
    },
    ttl: {
      AccessToken: ttl,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 10 * 60,
      RefreshToken: 24 * 60 * 60,
      Session: 24 * 60 * 60,
      Grant: 24 * 60 * 60,
    },
    // the provider is never called from page scripts: the web app and the BFF exchange codes server-side
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContextWithOIDC, out: Record<string, unknown>) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    features: {
      devInteractions: { enabled: false },
      // RFC 9449: a token request with a DPoP proof (ES256 or EdDSA) gets an access token bound to
      // its key (`cnf.jkt` in the JWT, `token_type: DPoP`); refresh binds the new one to the
      // refresh request's proof. Refresh tokens are bound for public clients only: `web` and
      // `bff` authenticate with their secret. No server nonce: the APIs may ask for one.
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        // without this, a code or refresh token with `openid` would get a userinfo-only opaque token
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, indicator: string) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: SCOPES.join(' '),
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      introspection: {
        enabled: true,
        // RFC 7662 §4: a resource server must never see another client's refresh token as active
        allowedPolicy: (_ctx: KoaContextWithOIDC, client: ClientModel, token: TokenModel) =>
          token.kind !== 'RefreshToken' || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: KoaContextWithOIDC, client: ClientModel, token: TokenModel) =>
          token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        // ending the session needs proof that the user's own client asked (OIDC RP-Initiated
        // Logout §2: id_token_hint of this session's user), or the user's click
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.body = logoutPage(form, { confirm: !hintNamesSessionUser(ctx) });
        },
      },
    },
  };
}

function firstPartyClient(clientId: string, secret: string, origin: string): Record<string, unknown> {
  return {
    client_id: clientId,
    client_secret: secret,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${origin}/callback`],
    post_logout_redirect_uris: [`${origin}/`],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** True when end_session got a valid `id_token_hint` whose `sub` is this browser's logged-in user. */
export function hintNamesSessionUser(ctx: KoaContextWithOIDC): boolean {
  const sub = ctx.oidc.entities?.IdTokenHint?.payload.sub;
  const accountId = ctx.oidc.session?.accountId;
  return typeof sub === 'string' && sub === accountId;
}
