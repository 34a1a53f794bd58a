import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { Browser, formAction } from '../../../test/support/fetch-browser.js';
import { openRelay, REFUSED_PORT, type Relay } from '../../../test/support/loopback.js';
import { authServerConfigFromEnv } from '../../auth-server/src/auth-server-config.js';
import { startAuthServer } from '../../auth-server/src/auth-server.js';
import { webConfigFromEnv, type WebConfig } from '../src/web-config.js';
import { startWeb, type RunningWeb } from '../src/web.js';

const TODO_API_URL = 'http://localhost:3901';
const HELP_API_URL = 'http://localhost:3902';

/** Builds the web app's config the way main.ts does, from variables. */
function configFor(env: Record<string, string>): WebConfig {
  return webConfigFromEnv({ HOST: '127.0.0.1', TODO_API_URL, HELP_API_URL, ...env });
}

/** `Set-Cookie` lines by cookie name. */
function setCookies(response: { headers: Record<string, unknown> }): Map<string, string> {
  const lines = (response.headers['set-cookie'] as string[] | undefined) ?? [];
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line]));
}

/** `name=value` of a `Set-Cookie` line. */
const pair = (line: string | undefined) => (line ?? '').slice(0, (line ?? '').indexOf(';'));

/** Every cookie the web app sets after a login, in the order it sets and clears them. */
const TOKEN_COOKIES = ['app.at', '__Host-app.rt', '__Host-app.idt', '__Host-app.fresh'];

const CLEARED = /=; Path=[^;]+; Expires=Thu, 01 Jan 1970 00:00:00 GMT/;

describe('web over HTTP (login, callback, refresh, logout)', () => {
  let auth: { url: string; close(): Promise<void> };
  let web: RunningWeb;
  let down: RunningWeb; // its authorization server does not answer
  let fronts: Relay[] = []; // the public origins of web and down
  let issuer: string;
  let origin: string;
  let downOrigin: string;
  let authorizationEndpoint: string;

  beforeAll(async () => {
    fronts = [await openRelay('localhost'), await openRelay('localhost')];
    const [front, downFront] = fronts as [Relay, Relay];
    origin = front.url;
    downOrigin = downFront.url;
    const authConfig = authServerConfigFromEnv({ PORT: '0', HOST: 'localhost', WEB_ORIGIN: origin });
    // no issuer: it is http://localhost:<the port it got>
    auth = await startAuthServer({ ...authConfig, issuer: undefined });
    issuer = auth.url;
    web = await startWeb(configFor({ PORT: '0', WEB_ORIGIN: origin, OAUTH_ISSUER: issuer }), ['error']);
    front.forwardTo(web.url);
    down = await startWeb(
      configFor({ PORT: '0', WEB_ORIGIN: downOrigin, OAUTH_ISSUER: `http://localhost:${REFUSED_PORT}` }),
      false,
    );
    downFront.forwardTo(down.url);
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string;
    };
    authorizationEndpoint = metadata.authorization_endpoint;
  }, 30_000);

  afterAll(async () => {
    await down?.close();
    await web?.close();
    await auth?.close();
    await Promise.all(fronts.map((front) => front.close()));
  });

  describe('GET /', () => {
    it('serves the page with the API URLs inline and a strict Content-Security-Policy', async () => {
      const response = await request(web.url).get('/').expect(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['content-security-policy']).toBe(
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; " +
          `connect-src 'self' ${TODO_API_URL} ${TODO_API_URL.replace('http', 'ws')} ${HELP_API_URL}; ` +
          `form-action 'self' ${issuer}; ` +
          "frame-ancestors 'none'; base-uri 'none'",
      );
      expect(response.text).toContain(
        `<script id="config" type="application/json">{"todoApiUrl":"${TODO_API_URL}","helpApiUrl":"${HELP_API_URL}"}</script>`,
      );
      for (const id of [
        'user-name',
        'login',
        'logout',
        'todo-list',
        'todo-title',
        'todo-add',
        'todo-delete-all',
        'ticket-list',
        'error',
      ])
        expect(response.text).toContain(`id="${id}"`);
    });

    it('serves the script as JavaScript', async () => {
      const response = await request(web.url).get('/app.js').expect(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.text).toContain('async function apiFetch(');
    });
  });

  describe('GET /login', () => {
    it('redirects to the authorization endpoint with PKCE S256, state and nonce', async () => {
      const response = await request(web.url).get('/login').expect(302);
      const location = new URL(response.headers.location!);
      expect(`${location.origin}${location.pathname}`).toBe(authorizationEndpoint);
      const parameters = Object.fromEntries(location.searchParams);
      expect(parameters).toMatchObject({
        response_type: 'code',
        client_id: 'web',
        redirect_uri: `${origin}/callback`,
        scope: 'openid profile email offline_access todo:write help:write',
        code_challenge_method: 'S256',
      });
      expect(parameters.code_challenge).toMatch(/^[\w-]{43}$/);
      expect(parameters.state).toMatch(/^[\w-]{20,}$/);
      expect(parameters.nonce).toMatch(/^[\w-]{20,}$/);
    });

    it('keeps verifier, state and nonce in a sealed HttpOnly __Host- cookie (no other host can plant one)', async () => {
      const response = await request(web.url).get('/login').expect(302);
      const state = new URL(response.headers.location!).searchParams.get('state')!;
      const line = setCookies(response).get('__Host-app.login')!;
      expect(line).toMatch(
        /^__Host-app\.login=[\w-]+; Max-Age=600; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/,
      );
      const value = line.slice('__Host-app.login='.length, line.indexOf(';'));
      expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain(state);
    });

    it('makes a new verifier, state and nonce each time', async () => {
      const [a, b] = await Promise.all([request(web.url).get('/login'), request(web.url).get('/login')]);
      const parameters = (response: typeof a) => new URL(response.headers.location!).searchParams;
      for (const name of ['code_challenge', 'state', 'nonce'])
        expect(parameters(a).get(name)).not.toBe(parameters(b).get(name));
    });

    it('passes a step-up on to the authorization request: acr_values=mfa and max_age (RFC 9470)', async () => {
      const response = await request(web.url).get('/login?acr_values=mfa&max_age=300&return=https://evil.example/');
      expect(response.status).toBe(302);
      const location = new URL(response.headers.location!);
      expect(`${location.origin}${location.pathname}`).toBe(authorizationEndpoint);
      expect(location.searchParams.get('acr_values')).toBe('mfa');
      expect(location.searchParams.get('max_age')).toBe('300');
      expect(location.searchParams.get('redirect_uri')).toBe(`${origin}/callback`); // never the return value
      expect(response.headers.location).not.toContain('evil');
      expect(setCookies(response).has('__Host-app.login')).toBe(true);
    });

    it.each([
      ['an unknown acr value', 'acr_values=admin'],
      ['a non-numeric max_age', 'max_age=soon'],
      ['a repeated parameter', 'acr_values=mfa&acr_values=mfa'],
    ])('answers 400 for %s, and starts no login', async (_case, query) => {
      const response = await request(web.url).get(`/login?${query}`).expect(400);
      expect(response.text).toContain('This login request is not valid.');
      expect(response.text).not.toContain('admin');
      expect(setCookies(response).size).toBe(0);
    });

    it('answers 503 while the authorization server is down', async () => {
      const response = await request(down.url).get('/login').expect(503);
      expect(response.text).toContain('The authorization server is unavailable');
    });
  });

  describe('GET /callback', () => {
    async function startLogin(): Promise<{ cookie: string; state: string }> {
      const response = await request(web.url).get('/login');
      const line = setCookies(response).get('__Host-app.login')!;
      return {
        cookie: line.slice(0, line.indexOf(';')),
        state: new URL(response.headers.location!).searchParams.get('state')!,
      };
    }

    it('answers 400 without a login in progress', async () => {
      const response = await request(web.url).get('/callback?code=abc&state=xyz').expect(400);
      expect(response.text).toContain('No login in progress');
      expect([...setCookies(response).keys()]).toEqual(['__Host-app.login']); // cleared, nothing set
    });

    it('answers 400 for a login cookie the page altered', async () => {
      const { cookie, state } = await startLogin();
      const altered = cookie.slice(0, -2) + (cookie.endsWith('AA') ? 'BB' : 'AA');
      const response = await request(web.url)
        .get(`/callback?code=abc&state=${state}`)
        .set('cookie', altered)
        .expect(400);
      expect(response.text).toContain('No login in progress');
    });

    it('answers 400 and sets no token cookie when state does not match', async () => {
      const { cookie } = await startLogin();
      const response = await request(web.url).get('/callback?code=abc&state=forged').set('cookie', cookie).expect(400);
      expect(response.text).toContain('The login did not succeed');
      expect([...setCookies(response).keys()]).toEqual(['__Host-app.login']);
      expect(setCookies(response).get('__Host-app.login')).toMatch(CLEARED);
    });

    it('answers 400 when the provider reports an error (access_denied)', async () => {
      const { cookie, state } = await startLogin();
      await request(web.url)
        .get(`/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(issuer)}`)
        .set('cookie', cookie)
        .expect(400);
    });

    it('answers 400 for a code the provider never issued', async () => {
      const { cookie, state } = await startLogin();
      await request(web.url)
        .get(`/callback?code=not-a-code&state=${state}&iss=${encodeURIComponent(issuer)}`)
        .set('cookie', cookie)
        .expect(400);
    });
  });

  describe('POST /refresh', () => {
    it.each<[string, Record<string, string>]>([
      ['without Origin', {}],
      ['from another origin', { origin: 'https://evil.example' }],
      ['from a sibling port (same site)', { origin: TODO_API_URL }],
    ])('answers 403 %s, before looking at the cookie', async (_name, headers) => {
      const response = await request(web.url)
        .post('/refresh')
        .set({ ...headers, cookie: '__Host-app.rt=anything' })
        .expect(403);
      expect(response.body).toMatchObject({ error: 'cross_origin_request' });
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('answers 401 and clears the token cookies without a refresh token', async () => {
      const response = await request(web.url).post('/refresh').set('origin', origin).expect(401);
      expect(response.body).toEqual({ statusCode: 401, error: 'login_required', message: 'no refresh token' });
      const cookies = setCookies(response);
      expect([...cookies.keys()]).toEqual(TOKEN_COOKIES);
      for (const line of cookies.values()) expect(line).toMatch(CLEARED);
      expect(cookies.get('__Host-app.rt')).toContain('Path=/;');
    });

    it('answers 401 and clears the token cookies when the provider refuses the refresh token', async () => {
      const response = await request(web.url)
        .post('/refresh')
        .set({ origin, cookie: '__Host-app.rt=not-a-refresh-token' })
        .expect(401);
      expect(response.body).toMatchObject({ error: 'login_required', message: 'the refresh token was refused' });
      expect([...setCookies(response).keys()]).toEqual(TOKEN_COOKIES);
    });

    it('answers 503 and keeps the cookies while the authorization server is down', async () => {
      const response = await request(down.url)
        .post('/refresh')
        .set({ origin: downOrigin, cookie: '__Host-app.rt=some-refresh-token' })
        .expect(503);
      expect(response.body).toEqual({ statusCode: 503, error: 'temporarily_unavailable' });
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('POST /logout', () => {
    it("answers 403 without the app's Origin", async () => {
      await request(web.url).post('/logout').set('origin', 'https://evil.example').expect(403);
    });

    it('clears the cookies and redirects to end_session with id_token_hint and post_logout_redirect_uri', async () => {
      const response = await request(web.url)
        .post('/logout')
        .set({ origin, cookie: '__Host-app.idt=a.b.c' })
        .expect(303);
      const location = new URL(response.headers.location!);
      expect(location.origin).toBe(issuer);
      expect(Object.fromEntries(location.searchParams)).toEqual({
        id_token_hint: 'a.b.c',
        post_logout_redirect_uri: `${origin}/`,
        client_id: 'web',
      });
      for (const line of setCookies(response).values()) expect(line).toMatch(CLEARED);
    });

    it('still logs out locally while the authorization server is down', async () => {
      const response = await request(down.url).post('/logout').set('origin', downOrigin).expect(303);
      expect(response.headers.location).toBe('/');
      expect([...setCookies(response).keys()]).toEqual(TOKEN_COOKIES);
    });
  });
  describe('logout revokes the refresh token (RFC 7009)', () => {
    /** A real login through web: /login, the provider's form, /callback; the cookies web set. */
    async function logInThroughWeb(username: string): Promise<Map<string, string>> {
      const browser = new Browser();
      const form = await browser.follow(`${origin}/login`, `${origin}/callback`);
      const html = await form.response!.text();
      const back = await browser.submit(
        formAction(html, form.url),
        { username, password: username },
        `${origin}/callback`,
      );
      const landed = await browser.request(back.url);
      expect(landed.status).toBe(302);
      return setCookies({ headers: { 'set-cookie': landed.headers.getSetCookie() } });
    }

    it('refuses the old __Host-app.rt after POST /logout (the refresh worked before it)', async () => {
      const login = await logInThroughWeb('alice');
      const refreshed = await request(web.url)
        .post('/refresh')
        .set({ origin, cookie: pair(login.get('__Host-app.rt')) })
        .expect(204);
      const refreshToken = pair(setCookies(refreshed).get('__Host-app.rt'));
      expect(refreshToken).toMatch(/^__Host-app\.rt=[\w-]+$/);

      const logout = await request(web.url)
        .post('/logout')
        .set({ origin, cookie: `${refreshToken}; ${pair(login.get('__Host-app.idt'))}` })
        .expect(303);
      expect(new URL(logout.headers.location!).origin).toBe(issuer);

      // the attack of issue 13: the cookie a thief kept, presented after the user logged out
      const replay = await request(web.url).post('/refresh').set({ origin, cookie: refreshToken }).expect(401);
      expect(replay.body).toMatchObject({ error: 'login_required', message: 'the refresh token was refused' });
    }, 30_000);

    it('still logs out locally when the revocation cannot reach the provider', async () => {
      const response = await request(down.url)
        .post('/logout')
        .set({ origin: downOrigin, cookie: '__Host-app.rt=some-refresh-token' })
        .expect(303);
      expect(response.headers.location).toBe('/');
      for (const line of setCookies(response).values()) expect(line).toMatch(CLEARED);
    });
  });
});
