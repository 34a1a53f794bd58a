import type { EnvReader } from './env.js';

/** How a sample login app (web, bff) signs in with `OidcClient` and which APIs it calls. */
export interface OidcClientSettings {
  /** `OAUTH_ISSUER`, exactly as given: discovery checks that the metadata's `issuer` equals it. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space separated; always holds `openid`. */
  readonly scopes: string;
  /** Without a trailing slash, so that `${todoApiUrl}/todos` is the route. */
  readonly todoApiUrl: string;
  readonly helpApiUrl: string;
}

/** Every scope the dev authorization server offers: the id token, the refresh token, both APIs' writes. */
const DEFAULT_SCOPES = 'openid profile email offline_access todo:write help:write';

/**
 * Reads `OAUTH_ISSUER` (`http://localhost:4000`), `OAUTH_CLIENT_ID` and `OAUTH_CLIENT_SECRET`
 * (the app's own registration, `client`), `OAUTH_SCOPES` (every scope of the dev server; must
 * hold `openid`), `TODO_API_URL` (`http://localhost:3001`) and `HELP_API_URL`
 * (`http://localhost:3002`), recording a problem for each invalid one.
 */
export function oidcClientSettingsFromEnv(
  env: EnvReader,
  client: { clientId: string; clientSecret: string },
): OidcClientSettings {
  const issuer = env.url('OAUTH_ISSUER', 'http://localhost:4000');
  const scopes = env.optional('OAUTH_SCOPES', DEFAULT_SCOPES).split(/\s+/);
  // OidcClient.finishLogin() expects an id token, and only `openid` brings one
  if (!scopes.includes('openid')) env.problem('OAUTH_SCOPES', 'must include openid (the login needs an id token)');
  return {
    issuer,
    clientId: env.optional('OAUTH_CLIENT_ID', client.clientId),
    clientSecret: env.optional('OAUTH_CLIENT_SECRET', client.clientSecret),
    scopes: scopes.join(' '),
    todoApiUrl: env.baseUrl('TODO_API_URL', 'http://localhost:3001'),
    helpApiUrl: env.baseUrl('HELP_API_URL', 'http://localhost:3002'),
  };
}
