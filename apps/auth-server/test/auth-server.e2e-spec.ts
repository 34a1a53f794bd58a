import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { Browser, formAction } from '../../../test/support/fetch-browser.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../../todo-api/src/todo-api.module.js';
import type { RunningAuthServer } from '../src/auth-server.js';
import {
  BFF_REDIRECT_URI,
  bffClient,
  logIn,
  startLogin,
  WEB_ORIGIN,
  WEB_REDIRECT_URI,
  webClient,
} from './support/login-flow.js';

type Tokens = Awaited<ReturnType<typeof logIn>>['tokens'];

const decode = (jwt: string, part: 0 | 1) =>
  JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('auth-server (oidc-provider) with the real todo-api and help-api', () => {
  let stack: DemoStack | undefined;
  let auth: RunningAuthServer;
  let todo: RunningApp;
  let help: RunningApp;
  let config: client.Configuration;
  let alice: Tokens;

  const introspect = async (token: string, credentials = basic('help-api', 'help-secret')) => {
    const { introspection_endpoint } = config.serverMetadata();
    const response = await fetch(introspection_endpoint!, {
      method: 'POST',
      headers: { authorization: credentials, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    stack = await startDemoStack({
      host: '127.0.0.1',
      accessTokenTtlSeconds: 300,
      webOrigin: WEB_ORIGIN,
      bffOrigin: 'http://localhost:3005',
    });
    ({ auth, todoApi: todo, helpApi: help } = stack);
    config = await webClient(stack.issuer);
    alice = (await logIn(config, 'alice')).tokens;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses introspection with a wrong secret (invalid_client), so help-api never trusts an answer', async () => {
    const { status, body } = await introspect(alice.access_token, basic('help-api', 'wrong'));
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('announces introspection, end_session, S256 PKCE and a JWKS key with kid', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(auth.url);
    expect(metadata.introspection_endpoint).toBe(`${auth.url}/token/introspection`);
    expect(metadata.end_session_endpoint).toBeDefined();
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(metadata.jwks_uri!)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', kid: expect.any(String) })]);
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('issues alice an RS256 at+jwt access token for both APIs with scope and roles', async () => {
    const header = decode(alice.access_token, 0);
    const claims = decode(alice.access_token, 1);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
    expect(claims).toMatchObject({ iss: auth.url, sub: 'alice', aud: ['todo-api', 'help-api'], client_id: 'web' });
    expect(claims.roles).toEqual(['admin']);
    // oidc-provider drops offline_access without prompt=consent; the refresh token comes anyway
    expect(String(claims.scope).split(' ').sort()).toEqual(['email', 'help:write', 'openid', 'profile', 'todo:write']);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(claims.jti).toEqual(expect.any(String));
    expect(alice.refresh_token).toEqual(expect.any(String));
  });

  it('puts name, email and roles in the ID token, which todo-api refuses as an access token', async () => {
    expect(alice.claims()).toMatchObject({ sub: 'alice', name: 'Alice Admin', email: 'alice@example.com' });
    expect(alice.claims()?.roles).toEqual(['admin']);
    const response = await fetch(`${todo.url}/me`, { headers: bearer(alice.id_token!) });
    expect(response.status).toBe(401);
  });

  it('is accepted by todo-api (JWT) on GET /me and by help-api (introspection) on GET /tickets', async () => {
    const me = await fetch(`${todo.url}/me`, { headers: bearer(alice.access_token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'alice', roles: ['admin'] });
    const tickets = await fetch(`${help.url}/tickets`, { headers: { cookie: `app.at=${alice.access_token}` } });
    expect(tickets.status).toBe(200);
  });

  it('answers help-api introspection with active, aud, scope, sub, exp, iss and roles', async () => {
    const { status, body } = await introspect(alice.access_token);
    expect(status).toBe(200);
    expect(body).toMatchObject({ active: true, sub: 'alice', iss: auth.url, client_id: 'web', roles: ['admin'] });
    expect(body.aud).toContain('help-api');
    expect(String(body.scope)).toContain('help:write');
    expect(body.exp).toBe(decode(alice.access_token, 1).exp);
  });

  it("authorizes alice's DELETE on todo-api (role admin) and answers carol 403", async () => {
    const create = (token: string) =>
      fetch(`${todo.url}/todos`, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'water the plants' }),
      });
    const created = (await (await create(alice.access_token)).json()) as { id: string };
    const remove = (token: string) =>
      fetch(`${todo.url}/todos/${created.id}`, { method: 'DELETE', headers: bearer(token) });
    const carol = (await logIn(config, 'carol')).tokens;
    expect(decode(carol.access_token, 1).roles).toEqual([]);
    expect((await remove(carol.access_token)).status).toBe(403);
    expect((await remove(alice.access_token)).status).toBe(204);
  });

  it('keeps the refresh token away from the APIs: help-api answers 401, introspection active false', async () => {
    const tickets = await fetch(`${help.url}/tickets`, { headers: bearer(alice.refresh_token!) });
    expect(tickets.status).toBe(401);
    expect((await introspect(alice.refresh_token!)).body).toEqual({ active: false });
  });

  it('serves userinfo (name, email, roles) for the JWT access token', async () => {
    const userinfo = await client.fetchUserInfo(config, alice.access_token, 'alice');
    expect(userinfo).toMatchObject({ sub: 'alice', name: 'Alice Admin', email: 'alice@example.com', roles: ['admin'] });
  });

  it('refreshes with rotation, and a replayed refresh token revokes the grant', async () => {
    const bob = (await logIn(config, 'bob')).tokens;
    const refreshed = await client.refreshTokenGrant(config, bob.refresh_token!);
    expect(refreshed.access_token).not.toBe(bob.access_token);
    expect(decode(refreshed.access_token, 1)).toMatchObject({ sub: 'bob', roles: ['support'] });
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(bob.refresh_token);
    expect((await fetch(`${help.url}/admin/tickets`, { headers: bearer(refreshed.access_token) })).status).toBe(200);

    await expect(client.refreshTokenGrant(config, bob.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await introspect(refreshed.access_token)).body).toEqual({ active: false });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('re-renders the login form with an error for a wrong password', async () => {
    const browser = new Browser();
    const page = await browser.follow((await startLogin(config)).url, WEB_REDIRECT_URI);
    const html = await page.response!.text();
    expect(html).toMatch(/<input[^>]*name="username"/);
    expect(html).toMatch(/<input[^>]*name="password"/);
    expect(html).toMatch(/<button type="submit"/);
    expect(html).toContain('bob');
    const retry = await browser.submit(
      formAction(html, page.url),
      { username: 'alice', password: 'nope' },
      WEB_REDIRECT_URI,
    );
    expect(retry.response?.status).toBe(200);
    expect(await retry.response!.text()).toContain('Invalid username or password');
  });

  it('requires PKCE: a request without code_challenge comes back with an error', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: WEB_REDIRECT_URI, scope: 'openid', state: 's' });
    const { url: landed } = await new Browser().follow(url, WEB_REDIRECT_URI);
    expect(landed.searchParams.get('error')).toBe('invalid_request');
  });

  it('logs out to the post_logout_redirect_uri without a click and deactivates the tokens', async () => {
    const carol = await logIn(config, 'carol');
    expect((await introspect(carol.tokens.access_token)).body.active).toBe(true);
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: carol.tokens.id_token!,
      post_logout_redirect_uri: `${WEB_ORIGIN}/`,
    });
    const page = await carol.browser.follow(endSession, `${WEB_ORIGIN}/`);
    const html = await page.response!.text();
    expect(html).toContain('.submit()'); // submits itself: no confirmation click
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const done = await carol.browser.submit(formAction(html, page.url), fields, `${WEB_ORIGIN}/`);
    expect(done.url.href).toBe(`${WEB_ORIGIN}/`);
    expect((await introspect(carol.tokens.access_token)).body).toEqual({ active: false });
    await expect(client.refreshTokenGrant(config, carol.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
  describe.each<[string, Record<string, string>]>([
    ['with OAUTH_REQUIRE_AT_JWT=true (as npm start runs it)', { OAUTH_REQUIRE_AT_JWT: 'true' }],
    ['without OAUTH_REQUIRE_AT_JWT (the id-token markers)', {}],
  ])("a todo-api whose audience is also the id token's (FusionAuth's setup), %s", (_name, env) => {
    let shared: RunningApp | undefined;
    beforeAll(async () => {
      shared = await startSampleApp(
        (o) => TodoApiModule.forRoot(o),
        { port: 0, audience: 'todo-api' },
        {
          ...env,
          OAUTH_ISSUER: auth.url,
          OAUTH_AUDIENCE: 'todo-api,web', // `web`: the aud of the id tokens this server issues to apps/web
        },
      );
    });
    afterAll(async () => {
      await shared?.close();
    });

    it('refuses the real id token: 401 invalid_token, reason token_type_not_accepted', async () => {
      expect(decode(alice.id_token!, 1).aud).toBe('web'); // the API's own audience
      const response = await fetch(`${shared!.url}/me`, { headers: bearer(alice.id_token!) });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(await response.json()).toMatchObject({ reason: 'token_type_not_accepted' });
    });

    it('accepts the real at+jwt access token', async () => {
      expect((await fetch(`${shared!.url}/me`, { headers: bearer(alice.access_token) })).status).toBe(200);
    });
  });

  describe('RP-initiated logout asks for a click unless id_token_hint names the session user', () => {
    /** The end_session page carol's browser gets for `parameters`. */
    async function endSessionPage(parameters: Record<string, string>) {
      const carol = await logIn(config, 'carol');
      const url = client.buildEndSessionUrl(config, { post_logout_redirect_uri: `${WEB_ORIGIN}/`, ...parameters });
      const page = await carol.browser.follow(url, `${WEB_ORIGIN}/`);
      return { carol, html: await page.response!.text() };
    }

    it('submits itself for a hint naming the logged-in user', async () => {
      const carol = await logIn(config, 'carol');
      const url = client.buildEndSessionUrl(config, {
        id_token_hint: carol.tokens.id_token!,
        post_logout_redirect_uri: `${WEB_ORIGIN}/`,
      });
      const html = await (await carol.browser.follow(url, `${WEB_ORIGIN}/`)).response!.text();
      expect(html).toContain('.submit()');
    });

    it.each<[string, () => Record<string, string>]>([
      ['without id_token_hint (client_id only)', () => ({ client_id: 'web' })],
      ["with another user's id_token_hint", () => ({ id_token_hint: alice.id_token! })],
    ])('shows a confirmation and no script %s; the session lives on until the click', async (_name, parameters) => {
      const { carol, html } = await endSessionPage(parameters());
      expect(html).toContain('Sign out of the dev authorization server?');
      expect(html).toMatch(/<button type="submit" form="op.logoutForm">/);
      expect(html).not.toContain('<script');
      expect((await introspect(carol.tokens.access_token)).body.active).toBe(true);
    });
  });

  describe('revocation (RFC 7009) for the web and bff clients', () => {
    it.each<[string, () => client.Configuration | Promise<client.Configuration>, string]>([
      ['web', () => config, WEB_REDIRECT_URI],
      ['bff', () => bffClient(auth.url), BFF_REDIRECT_URI],
    ])(
      'lets %s revoke its refresh token: the grant ends, the token refreshes no more',
      async (_client, configure, redirectUri) => {
        const own = await configure();
        const { tokens } = await logIn(own, 'bob', 'bob', redirectUri);
        await client.tokenRevocation(own, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
        await expect(client.refreshTokenGrant(own, tokens.refresh_token!)).rejects.toMatchObject({
          error: 'invalid_grant',
        });
        expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
      },
    );

    it("ignores web's attempt to revoke bff's refresh token (200, as RFC 7009 §2.2 answers, and nothing revoked)", async () => {
      const bff = await bffClient(auth.url);
      const { tokens } = await logIn(bff, 'bob', 'bob', BFF_REDIRECT_URI);
      await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
      const refreshed = await client.refreshTokenGrant(bff, tokens.refresh_token!);
      expect(refreshed.access_token).toEqual(expect.any(String));
    });
  });
});
