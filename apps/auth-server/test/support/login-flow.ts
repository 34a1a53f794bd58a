import * as client from 'openid-client';

/** Where the `web` client is registered to receive the code in these tests. */
export const WEB_ORIGIN = 'http://localhost:3000';
export const WEB_REDIRECT_URI = `${WEB_ORIGIN}/callback`;
export const SCOPE = 'openid profile email offline_access todo:write help:write';

/** A browser stand-in: fetch without following redirects, with its own cookies. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  /** One request; stores the cookies the answer sets (an expired or empty one removes it). */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows GET redirects until a page, or until the browser is sent to `stopAt` (not fetched). */
  async follow(url: string | URL, stopAt: string): Promise<{ url: URL; response?: Response }> {
    let current = new URL(url);
    for (let hops = 0; hops < 10; hops++) {
      if (current.href.startsWith(stopAt)) return { url: current };
      const response = await this.request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      current = new URL(location, current);
    }
    throw new Error(`too many redirects from ${String(url)}`);
  }

  /** Posts a form as the browser would, then follows the redirects like `follow`. */
  async submit(url: string | URL, fields: Record<string, string>, stopAt: string) {
    const response = await this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return { url: new URL(url), response };
    return this.follow(new URL(location, url), stopAt);
  }
}

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

/** The login form's action (`/interaction/<uid>/login`) on a page, resolved against its URL. */
export function formAction(html: string, pageUrl: URL): URL {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form on ${pageUrl.href}:\n${html}`);
  return new URL(action.replace(/&amp;/g, '&'), pageUrl);
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
