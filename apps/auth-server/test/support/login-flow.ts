import * as client from 'openid-client';
import { Browser, formAction } from '../../../../test/support/fetch-browser.js';

/** Where the `web` client is registered to receive the code in these tests. */
export const WEB_ORIGIN = 'http://localhost:3000';
export const WEB_REDIRECT_URI = `${WEB_ORIGIN}/callback`;
export const SCOPE = 'openid profile email offline_access todo:write help:write';

/** The `web` client as apps/web configures it: discovery over plain http, client_secret_basic. */
export function webClient(issuer: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), 'web', 'web-secret', client.ClientSecretBasic('web-secret'), {
    execute: [client.allowInsecureRequests],
  });
}

/** An authorization request with PKCE, state and nonce; what the callback must be checked against. */
export async function startLogin(config: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: WEB_REDIRECT_URI,
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
 * form, consent granted by the server, the code exchanged by openid-client.
 */
export async function logIn(config: client.Configuration, username: string, password = username) {
  const browser = new Browser();
  const { url, checks } = await startLogin(config);
  const page = await browser.follow(url, WEB_REDIRECT_URI);
  if (!page.response) throw new Error('expected the login page');
  const html = await page.response.text();
  const callback = await browser.submit(formAction(html, page.url), { username, password }, WEB_REDIRECT_URI);
  if (!callback.url.href.startsWith(WEB_REDIRECT_URI))
    throw new Error(`login of ${username} did not reach the callback: ${callback.url.href}`);
  const tokens = await client.authorizationCodeGrant(config, callback.url, { ...checks, idTokenExpected: true });
  return { browser, tokens };
}
