import * as client from 'openid-client';
import { Browser, formAction } from '../../../../test/support/fetch-browser.js';

/** Where the `web` client is registered to receive the code in these tests. */
export const WEB_ORIGIN = 'http://localhost:3000';
export const WEB_REDIRECT_URI = `${WEB_ORIGIN}/callback`;
export const SCOPE = 'openid profile email offline_access todo:write help:write';
/** Where the `bff` client is registered to receive the code in these tests (demo-stack's default). */
export const BFF_REDIRECT_URI = 'http://localhost:3005/callback';

/** The `web` client as apps/web configures it: discovery over plain http, client_secret_basic. */
export function webClient(issuer: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), 'web', 'web-secret', client.ClientSecretBasic('web-secret'), {
    execute: [client.allowInsecureRequests],
  });
}

/** The `bff` client as apps/bff configures it. */
export function bffClient(issuer: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), 'bff', 'bff-secret', client.ClientSecretBasic('bff-secret'), {
    execute: [client.allowInsecureRequests],
  });
}

/** An authorization request with PKCE, state and nonce; what the callback must be checked against. */
export async function startLogin(
  config: client.Configuration,
  extra: Record<string, string> = {},
  redirectUri = WEB_REDIRECT_URI,
) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

/**
 * A complete Authorization Code + PKCE login of `username` in a fresh browser: the login
 * form, consent granted by the server, the code exchanged by openid-client (with a DPoP proof
 * when `grantOptions.DPoP` is given).
 */
export async function logIn(
  config: client.Configuration,
  username: string,
  password = username,
  redirectUri = WEB_REDIRECT_URI,
  grantOptions: client.AuthorizationCodeGrantOptions = {},
) {
  const browser = new Browser();
  const { url, checks } = await startLogin(config, {}, redirectUri);
  const page = await browser.follow(url, redirectUri);
  if (!page.response) throw new Error('expected the login page');
  const html = await page.response.text();
  const callback = await browser.submit(formAction(html, page.url), { username, password }, redirectUri);
  if (!callback.url.href.startsWith(redirectUri))
    throw new Error(`login of ${username} did not reach the callback: ${callback.url.href}`);
  const tokens = await client.authorizationCodeGrant(
    config,
    callback.url,
    { ...checks, idTokenExpected: true },
    undefined,
    grantOptions,
  );
  return { browser, tokens };
}
