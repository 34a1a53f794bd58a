import type { IncomingHttpHeaders } from 'node:http';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { launchChromium, signInAtAuthServer } from '../../../test/support/chromium.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TicketsService } from '../../help-api/src/tickets.service.js';
import { ProxyModule } from '../../proxy/src/proxy.module.js';
import { webConfigFromEnv, type WebConfig } from '../src/web-config.js';
import { startWeb } from '../src/web.js';

// short, because one step waits it out: the provider issues real tokens with a real exp
const ACCESS_TOKEN_TTL_SECONDS = 8;
const SCREENSHOT = fileURLToPath(new URL('../../../test-artifacts/web-logged-in.png', import.meta.url));

/** The parent domain of the apps the page calls, as `npm start` lays them out. */
const PARENT_DOMAIN = 'demo.localhost';
/** The browser's name for a loopback app: Chromium resolves every *.localhost name to loopback. */
const named = (name: string, port: number) => `http://${name}.${PARENT_DOMAIN}:${port}`;

/**
 * The seed's "App" in a real browser: Chromium logs in at the dev authorization server, and
 * the page calls todo-api (JWT) and help-api (introspection) with the HttpOnly access token
 * cookie, and todo-api once more through the proxy. Each app has a host name of its own under
 * `demo.localhost` (one site, distinct hosts, as in production); only `app.at` is on the
 * parent domain. The proxy reaches todo-api as 127.0.0.1.
 */
describe('web: browser flow against auth-server, todo-api (JWT), help-api (introspection) and the proxy', () => {
  let stack: DemoStack | undefined;
  let todoApi: RunningApp | undefined;
  let helpApi: RunningApp | undefined;
  let proxy: RunningApp | undefined;
  let web: { url: string; close(): Promise<void> } | undefined;
  let front: Relay | undefined; // web's public origin, before web exists
  let issuer: string;
  let webOrigin: string;
  let config: WebConfig;
  let todoUrl: string; // todo-api by its name, as the page calls it
  let helpUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const refreshRequests: string[] = [];
  /** The `reason` of every 401 an API or the proxy answered the page. */
  const apiRefusals: Promise<string>[] = [];
  /** The `app.at` cookies the proxy received, in order. */
  const cookieTokensAtProxy: string[] = [];
  /** Headers of the requests todo-api received from the proxy (the only caller with a header token). */
  const forwardedToTodoApi: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    front = await openRelay('127.0.0.1');
    webOrigin = named('web', front.port);
    stack = await startDemoStack({
      host: 'localhost',
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      webOrigin,
      corsOrigins: webOrigin,
      // as npm start runs them; no tolerance, so that a token sent after its exp is token_expired
      apiEnv: { OAUTH_REQUIRE_AT_JWT: 'true', OAUTH_CLOCK_TOLERANCE: '0' },
    });
    ({ issuer, todoApi, helpApi } = stack);
    todoUrl = named('todo', todoApi.port);
    helpUrl = named('help', helpApi.port);
    // another host name than the cookie's: the browser would never send app.at there
    const upstream = `http://127.0.0.1:${todoApi.port}`;
    proxy = await startSampleApp(
      (o) => ProxyModule.forRoot(o, { upstream, mountPath: '/api', timeoutMs: 5000 }),
      { port: 3004, audience: 'todo-api' },
      { OAUTH_ISSUER: issuer, OAUTH_REQUIRE_AT_JWT: 'true', CORS_ORIGINS: webOrigin },
    );
    // second listeners only watch; Express still answers every request
    proxy.app.getHttpServer().on('request', (request: { headers: IncomingHttpHeaders }) => {
      const token = /(?:^|; )app\.at=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (token) cookieTokensAtProxy.push(token);
    });
    todoApi.app.getHttpServer().on('request', (request: { headers: IncomingHttpHeaders }) => {
      if (request.headers.authorization !== undefined) forwardedToTodoApi.push(request.headers);
    });
    const parsed = webConfigFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_ORIGIN: webOrigin,
      OAUTH_ISSUER: issuer,
      TODO_API_URL: todoUrl,
      HELP_API_URL: helpUrl,
      PROXY_URL: named('proxy', proxy.port),
      COOKIE_DOMAIN: PARENT_DOMAIN,
    });
    config = parsed;
    web = await startWeb(config, ['error']);
    front.forwardTo(web.url);
    // alice's ticket exists before she logs in; the page must fetch it from help-api
    helpApi.app.get(TicketsService).open('alice', 'Printer on fire');

    browser = await launchChromium();
    context = await browser.newContext();
    // This spec covers the page's HTTP calls and their refresh paths. Its socket to todo-api's
    // /live opens to a stand-in that never answers, so that no live socket closing at the
    // token's exp refreshes behind the steps' backs (browser-live.e2e-spec covers live updates).
    await context.routeWebSocket(/\/live$/, () => undefined);
    page = await context.newPage();
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${webOrigin}/refresh`) refreshRequests.push(request.url());
    });
    page.on('response', (response) => {
      if (response.status() === 401 && !response.url().startsWith(webOrigin))
        apiRefusals.push(
          response.json().then(
            (body: { reason?: string }) => body.reason ?? 'none',
            () => 'no JSON',
          ),
        );
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await front?.close();
    await proxy?.close();
    await stack?.close();
  });

  const text = (selector: string) => page.locator(selector).innerText();
  const cookie = async (name: string): Promise<Cookie | undefined> =>
    (await context.cookies()).find((c) => c.name === name);
  /** Waits until the page's API calls are done (the script keeps #app aria-busy meanwhile). */
  const settled = () => page.locator('#app[aria-busy="false"]').waitFor();
  const todoTitles = async () => {
    await settled();
    return page.locator('#todo-list .todo-title').allInnerTexts();
  };

  async function logIn(username: string, password: string): Promise<void> {
    await page.locator('#login').click();
    await signInAtAuthServer(page, issuer, username, password);
  }

  it('shows "Log in" and no user before login', async () => {
    await page.goto(`${webOrigin}/`);
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#logout').isVisible()).toBe(false);
    expect(await text('#user-name')).toBe('');
  });

  it('logs alice in with Authorization Code + PKCE and shows her name from the id token', async () => {
    await logIn('alice', 'alice');
    await page.waitForURL(`${webOrigin}/`);
    await page.locator('#user-name', { hasText: 'Alice Admin' }).waitFor();
    expect(await page.locator('#login').isVisible()).toBe(false);
    expect(await page.locator('#logout').isVisible()).toBe(true);
  }, 30_000);

  it('keeps the tokens in cookies the page cannot read: app.at on the parent domain, the rest __Host-', async () => {
    const at = await cookie('app.at');
    const rt = await cookie('__Host-app.rt');
    const idt = await cookie('__Host-app.idt');
    const fresh = await cookie('__Host-app.fresh');
    expect(at).toMatchObject({ domain: `.${PARENT_DOMAIN}`, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' });
    expect(at!.expires * 1000).toBeLessThanOrEqual(Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000 + 1000);
    const host = new URL(webOrigin).hostname;
    expect(rt).toMatchObject({ domain: host, path: '/', httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(idt).toMatchObject({ domain: host, path: '/', httpOnly: false, secure: true, sameSite: 'Lax' });
    expect(fresh).toMatchObject({ domain: host, value: '1', httpOnly: false });
    expect(await cookie('__Host-app.login')).toBeUndefined(); // spent by the callback
    const visible = await page.evaluate<string>('document.cookie');
    expect(visible).toContain('__Host-app.idt=');
    expect(visible).not.toContain('app.at=');
    expect(visible).not.toContain('app.rt=');
    // the provider's cookies stay on its own host: none reaches the APIs' hosts
    for (const url of [todoUrl, helpUrl]) expect((await context.cookies(url)).map((c) => c.name)).toEqual(['app.at']);
  });

  it("lists alice's tickets from help-api, which introspects the cookie's token", async () => {
    await settled();
    expect(await page.locator('#ticket-list li').allInnerTexts()).toEqual(['Printer on fire (open)']);
  });

  it('adds and deletes todos at todo-api (alice has todo:write and the admin role)', async () => {
    for (const title of ['Buy milk', 'Write report']) {
      await page.locator('#todo-title').fill(title);
      await page.locator('#todo-add').click();
      await page.locator('#todo-list li', { hasText: title }).waitFor();
    }
    expect(await todoTitles()).toEqual(['Buy milk', 'Write report']);
    await page.locator('#todo-list li', { hasText: 'Buy milk' }).locator('.todo-delete').click();
    await page.locator('#todo-list li', { hasText: 'Buy milk' }).waitFor({ state: 'detached' });
    expect(await todoTitles()).toEqual(['Write report']);
    expect(await text('#error')).toBe('');

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 30_000);

  it('refuses POST /refresh from a sibling host, although the Strict cookie rides along (same site)', async () => {
    const target = `${webOrigin}/refresh`;
    const refreshToken = (await cookie('__Host-app.rt'))!.value;
    const other = await context.newPage();
    await other.goto(`${todoUrl}/health`);
    // what the browser really sent and got, including cookies, from the DevTools protocol
    const cdp = await context.newCDPSession(other);
    await cdp.send('Network.enable');
    let requestId: string | undefined;
    let status: number | undefined;
    const sentHeaders = new Map<string, Record<string, string>>();
    cdp.on('Network.requestWillBeSent', (event) => {
      if (event.request.url === target) requestId = event.requestId;
    });
    cdp.on('Network.requestWillBeSentExtraInfo', (event) => {
      const headers = Object.entries(event.headers).map(([name, value]) => [name.toLowerCase(), String(value)]);
      sentHeaders.set(event.requestId, Object.fromEntries(headers));
    });
    cdp.on('Network.responseReceived', (event) => {
      if (event.response.url === target) status = event.response.status;
    });
    // no-cors: the attacker needs no answer, only the side effect
    await other.evaluate(
      (url) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => 1),
      target,
    );
    for (let i = 0; i < 100 && (status === undefined || !sentHeaders.has(requestId ?? '')); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await other.close();

    const sent = sentHeaders.get(requestId!)!;
    expect(sent.cookie).toContain(`__Host-app.rt=${refreshToken}`);
    expect(sent.origin).toBe(todoUrl);
    expect(sent['sec-fetch-site']).toBe('same-site');
    expect(status).toBe(403);
    expect((await cookie('__Host-app.rt'))!.value).toBe(refreshToken); // not spent
    expect(refreshRequests).toEqual([]); // the main page never refreshed either
  });

  let expiredAccessToken: string | undefined;

  it('refreshes first once the freshness marker is gone: one POST /refresh, no 401 from the API', async () => {
    const accessToken = await cookie('app.at');
    expiredAccessToken = accessToken!.value;
    const refreshTokenBefore = (await cookie('__Host-app.rt'))!.value;
    // the one real wait: the marker and the access token cookie expire with the token. The
    // cookie's Max-Age is whole seconds counted from when the web app set it, so it may end up to
    // a second before the token's exp; the next test needs the token itself expired too
    const exp = (JSON.parse(Buffer.from(expiredAccessToken.split('.')[1]!, 'base64url').toString()) as { exp: number })
      .exp;
    await page.waitForTimeout(Math.max(0, accessToken!.expires * 1000 - Date.now(), exp * 1000 - Date.now()) + 300);
    expect(await cookie('__Host-app.fresh')).toBeUndefined();
    expect(await cookie('app.at')).toBeUndefined();
    refreshRequests.length = 0;
    apiRefusals.length = 0;

    await page.locator('#todo-title').fill('After expiry');
    await page.locator('#todo-add').click();
    await page.locator('#todo-list li', { hasText: 'After expiry' }).waitFor();
    expect(await todoTitles()).toEqual(['Write report', 'After expiry']);
    expect(refreshRequests).toHaveLength(1);
    expect(await Promise.all(apiRefusals)).toEqual([]);
    expect(await text('#error')).toBe('');
    expect(await cookie('app.at')).toBeDefined();
    expect((await cookie('__Host-app.rt'))!.value).not.toBe(refreshTokenBefore); // rotated
  }, 30_000);

  it('refreshes once and retries when an API answers 401 token_expired', async () => {
    // the marker says fresh, but the cookie holds a token past its exp (a clock ahead, a stale
    // tab); both set for a minute, so that the test does not race the real 8 s lifetime
    const inAMinute = Math.floor(Date.now() / 1000) + 60;
    await context.addCookies([
      { ...(await cookie('app.at'))!, value: expiredAccessToken!, expires: inAMinute },
      { ...(await cookie('__Host-app.fresh'))!, expires: inAMinute },
    ]);
    refreshRequests.length = 0;
    apiRefusals.length = 0;

    // Chromium's report of the 401 may reach this process after the page already shows the todo
    const refusal = page.waitForResponse((response) => response.status() === 401);
    await page.locator('#todo-title').fill('After a refusal');
    await page.locator('#todo-add').click();
    await page.locator('#todo-list li', { hasText: 'After a refusal' }).waitFor();
    await refusal;
    expect(await Promise.all(apiRefusals)).toEqual(['token_expired']);
    expect(refreshRequests).toHaveLength(1);
    expect(await text('#error')).toBe('');
    expect((await cookie('app.at'))!.value).not.toBe(expiredAccessToken);
  }, 30_000);

  it("lists alice's todos through the proxy, which forwards her cookie's token to todo-api as a Bearer header", async () => {
    expect(await page.locator('#proxy-section').isVisible()).toBe(true);
    expect(await page.locator('#proxy-todo-list li').count()).toBe(0);
    await page.locator('#proxy-load').click();
    await page.locator('#proxy-todo-list li', { hasText: 'After expiry' }).waitFor();
    await settled();
    expect(await page.locator('#proxy-todo-list .proxy-todo-title').allInnerTexts()).toEqual([
      'Write report',
      'After expiry',
      'After a refusal',
    ]);
    expect(await text('#error')).toBe('');
    // what reached todo-api: on 127.0.0.1, the token of the cookie the proxy got, as a Bearer header, and no cookie
    expect(cookieTokensAtProxy.length).toBeGreaterThan(0);
    expect(forwardedToTodoApi.at(-1)).toMatchObject({
      host: `127.0.0.1:${todoApi!.port}`,
      authorization: `Bearer ${cookieTokensAtProxy.at(-1)}`,
    });
    expect(forwardedToTodoApi.map((headers) => headers.cookie)).toEqual(forwardedToTodoApi.map(() => undefined));
  }, 30_000);

  it('logs out at the app and the provider: the cookies are gone, both APIs answer 401, the old refresh token is dead', async () => {
    const oldRefreshToken = (await cookie('__Host-app.rt'))!;
    const [endSession] = await Promise.all([
      page.waitForRequest((request) => request.isNavigationRequest() && request.url().startsWith(`${issuer}/`)),
      page.locator('#logout').click(),
    ]);
    expect(new URL(endSession.url()).searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(new URL(endSession.url()).searchParams.get('post_logout_redirect_uri')).toBe(`${webOrigin}/`);
    await page.waitForURL(`${webOrigin}/`);
    await page.locator('#login').waitFor();
    expect((await context.cookies()).map((c) => c.name).filter((name) => /^(__Host-)?app\./.test(name))).toEqual([]);
    const statuses = await page.evaluate(
      async ([todo, help]) => [
        (await fetch(`${todo}/todos`, { credentials: 'include' })).status,
        (await fetch(`${help}/tickets`, { credentials: 'include' })).status,
        (await fetch('/refresh', { method: 'POST' })).status,
      ],
      [todoUrl, helpUrl],
    );
    expect(statuses).toEqual([401, 401, 401]);

    // the attack of issue 13: the refresh token cookie, kept from before the logout, put back
    await context.addCookies([oldRefreshToken]);
    const replay = await page.evaluate(async () => {
      const response = await fetch('/refresh', { method: 'POST' });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    expect(replay).toEqual({
      status: 401,
      body: { statusCode: 401, error: 'login_required', message: 'the refresh token was refused' },
    });
  }, 30_000);

  it("logs carol in after a wrong password, and shows todo-api's 403 when she deletes (no admin role)", async () => {
    await logIn('carol', 'wrong'); // the provider's session ended at logout: its form shows again
    await page.locator('text=Invalid username or password').waitFor();
    await page.locator('input[name=username]').fill('carol');
    await page.locator('input[name=password]').fill('carol');
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${webOrigin}/`);
    await page.locator('#user-name', { hasText: 'Carol User' }).waitFor();
    expect(await todoTitles()).toEqual([]); // alice's todos are alice's

    await page.locator('#todo-title').fill('Carol was here');
    await page.locator('#todo-add').click();
    await page.locator('#todo-list li', { hasText: 'Carol was here' }).locator('.todo-delete').click();
    await page.locator('#error', { hasText: '403' }).waitFor();
    expect(await text('#error')).toBe('403 insufficient_scope: requires the role admin');
    expect(await todoTitles()).toEqual(['Carol was here']);
  }, 30_000);
  it('sends carol to log in, without a refresh, when an API answers 401 for another reason than token_expired', async () => {
    const accessToken = (await cookie('app.at'))!;
    const [header, payload, signature] = accessToken.value.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const inAMinute = Math.floor(Date.now() / 1000) + 60; // not racing the 8 s lifetime
    await context.addCookies([
      { ...accessToken, value: forged, expires: inAMinute },
      { ...(await cookie('__Host-app.fresh'))!, expires: inAMinute },
    ]);
    refreshRequests.length = 0;
    apiRefusals.length = 0;

    await page.reload();
    await page.locator('#login').waitFor();
    await page.locator('#app[aria-busy="false"]').waitFor({ state: 'attached' }); // hidden by now
    // todo-api checks the signature; help-api asks the provider, for which the token is not active
    expect(await text('#error')).toMatch(
      /^Your session has ended \((signature_invalid|token_inactive)\)\. Log in again\.$/,
    );
    expect(await page.locator('#app').isVisible()).toBe(false);
    expect((await Promise.all(apiRefusals)).sort()).toEqual(['signature_invalid', 'token_inactive']);
    expect(refreshRequests).toEqual([]); // a refresh cannot mend a forged token
  }, 30_000);
});
