import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../test/support/chromium.js';
import { addTodo, logInLive, recordSockets, type WatchedSocket } from '../../../test/support/todo-page.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { webConfigFromEnv } from '../src/web-config.js';
import { startWeb } from '../src/web.js';
import { startWireRecorder, type WireRecorder } from './support/wire-recorder.js';

// short, because one step waits for todo-api to close the socket at the token's exp
const ACCESS_TOKEN_TTL_SECONDS = 10;
const PARENT_DOMAIN = 'demo.localhost';
const named = (name: string, port: number) => `http://${name}.${PARENT_DOMAIN}:${port}`;

/**
 * The web page's live updates in Chromium: the page holds a WebSocket to todo-api's `/live`,
 * authenticated by the `app.at` cookie and its `Origin`, and shows todo changes made elsewhere
 * without a reload.
 */
describe("web: live updates from todo-api's /live in Chromium", () => {
  let stack: DemoStack | undefined;
  let web: { url: string; close(): Promise<void> } | undefined;
  let front: Relay | undefined;
  let wire: WireRecorder | undefined; // todo-api as the browser reaches it, recording each handshake
  let issuer: string;
  let webOrigin: string;
  let todoUrl: string;
  let browser: Browser | undefined;
  let alice: BrowserContext;
  let page: Page;
  const sockets: WatchedSocket[] = [];
  /** How far the APIs' clock runs ahead of the real one (a test moves it). */
  let aheadMs = 0;
  const refreshRequests: string[] = [];

  beforeAll(async () => {
    front = await openRelay('127.0.0.1');
    webOrigin = named('web', front.port);
    stack = await startDemoStack({
      host: 'localhost',
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      webOrigin,
      corsOrigins: webOrigin,
      // no tolerance: todo-api closes the socket at the token's exp, not 30 s later
      apiEnv: { OAUTH_REQUIRE_AT_JWT: 'true', OAUTH_CLOCK_TOLERANCE: '0' },
      apiOptions: { clock: () => Date.now() + aheadMs },
    });
    issuer = stack.issuer;
    wire = await startWireRecorder(stack.todoApi.url);
    todoUrl = named('todo', wire.port);
    const config = webConfigFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_ORIGIN: webOrigin,
      OAUTH_ISSUER: issuer,
      TODO_API_URL: todoUrl,
      HELP_API_URL: named('help', stack.helpApi.port),
      COOKIE_DOMAIN: PARENT_DOMAIN,
    });
    web = await startWeb(config, ['error']);
    front.forwardTo(web.url);
    browser = await launchChromium();
    alice = await browser.newContext();
    page = await alice.newPage();
    recordSockets(page, sockets);
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${webOrigin}/refresh`) refreshRequests.push(request.url());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await front?.close();
    await wire?.close();
    await stack?.close();
  });

  const logIn = (tab: Page, username: string) => logInLive(tab, webOrigin, issuer, username);

  const titles = () => page.locator('#todo-list .todo-title').allInnerTexts();

  it('connects once logged in, with the cookie and no token in the URL', async () => {
    await logIn(page, 'alice');
    expect(sockets.map(({ socket }) => socket.url())).toEqual([`${todoUrl.replace('http', 'ws')}/live`]);
    const handshakes = wire!.connections.filter((c) => c.headers.upgrade === 'websocket');
    expect(handshakes).toEqual([
      {
        requestLine: 'GET /live HTTP/1.1',
        headers: expect.objectContaining({
          origin: webOrigin,
          cookie: expect.stringMatching(/(^|; )app\.at=[\w-]+\./),
        }),
        status: 101,
      },
    ]);
    expect(handshakes[0]!.headers.authorization).toBeUndefined();
    expect(await page.locator('#live-status').innerText()).toBe('live');
    expect(await page.locator('#error').innerText()).toBe('');
  }, 30_000);

  it("shows a todo added in another tab without a reload, and never another user's", async () => {
    await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    const tab = await alice.newPage();
    await tab.goto(`${webOrigin}/`);
    await tab.locator('#live-status[data-state="live"]').waitFor();
    await addTodo(tab, 'From the other tab');
    await page.locator('#todo-list li', { hasText: 'From the other tab' }).waitFor();

    // carol, in a browser context of her own, adds one of hers
    const carol = await browser!.newContext();
    const carolsPage = await carol.newPage();
    await logIn(carolsPage, 'carol');
    await addTodo(carolsPage, "Carol's secret");
    await carol.close();
    // todo-api sends each socket its events in order: had alice's page been sent carol's
    // todo, it would have arrived before this one
    await addTodo(tab, 'After carol');
    await page.locator('#todo-list li', { hasText: 'After carol' }).waitFor();
    expect(await titles()).toEqual(['From the other tab', 'After carol']);
    expect(sockets.flatMap(({ frames }) => frames).join('\n')).not.toContain("Carol's secret");

    await tab.locator('#todo-list li', { hasText: 'From the other tab' }).locator('.todo-delete').click();
    await page.locator('#todo-list li', { hasText: 'From the other tab' }).waitFor({ state: 'detached' });
    expect(await titles()).toEqual(['After carol']);
    await tab.close();
    expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
    expect(await page.locator('#error').innerText()).toBe('');
  }, 60_000);

  it('lets no page of another origin open /live with the cookie: todo-api answers the upgrade 403', async () => {
    // a page on a sibling host (help-api's): same site, so the browser attaches the app.at cookie
    const sibling = named('help', stack!.helpApi.port);
    const other = await alice.newPage();
    await other.goto(`${sibling}/health`);
    const outcome = await other.evaluate(
      (url) =>
        new Promise<{ opened: boolean; messages: number; code: number }>((resolve) => {
          const socket = new WebSocket(url);
          let opened = false;
          let messages = 0;
          socket.onopen = () => (opened = true);
          socket.onmessage = () => messages++;
          socket.onclose = (event) => resolve({ opened, messages, code: event.code });
        }),
      `${todoUrl.replace('http', 'ws')}/live`,
    );
    expect(outcome).toEqual({ opened: false, messages: 0, code: 1006 });
    // what crossed the wire: the cookie went along, and todo-api refused the upgrade
    const attempt = wire!.connections.find((c) => c.headers.origin === sibling);
    expect(attempt).toEqual({
      requestLine: 'GET /live HTTP/1.1',
      headers: expect.objectContaining({ cookie: expect.stringContaining('app.at=') }),
      status: 403,
    });
    await other.close();
  }, 30_000);

  it('refreshes once when todo-api closes the socket at the token expiry (4401), and goes on live', async () => {
    const before = sockets.length;
    refreshRequests.length = 0;
    // todo-api closes the socket at the token's exp: outside events, polled for, not slept on
    await until(() => sockets.length > before, ACCESS_TOKEN_TTL_SECONDS * 1000 + 10_000);
    expect(sockets.at(-2)!.socket.isClosed()).toBe(true);
    await page.locator('#live-status[data-state="live"]').waitFor();
    expect(sockets).toHaveLength(before + 1);
    expect(refreshRequests).toHaveLength(1);

    const tab = await alice.newPage();
    await tab.goto(`${webOrigin}/`);
    await addTodo(tab, 'After the expiry');
    await page.locator('#todo-list li', { hasText: 'After the expiry' }).waitFor();
    await tab.close();
    expect(await page.locator('#error').innerText()).toBe('');
  }, 60_000);

  it('stops after one refresh and one more try when every handshake is refused, and says to log in again', async () => {
    // the APIs' clock an hour ahead: every token, the refreshed one too, is expired to them
    aheadMs = 3600_000;
    const before = sockets.length;
    refreshRequests.length = 0;
    await page.reload();
    await page.locator('#live-status[data-state="stopped"]').waitFor();
    expect(await page.locator('#error').innerText()).toBe(
      'Live updates stopped: the connection failed again. Log in again to resume them.',
    );
    // one handshake, one refresh, one more handshake: then nothing more, by design (no loop)
    expect(sockets.length - before).toBe(2);
    expect(await page.evaluate('live.stopped')).toBe(true);
    // one refresh by the list's API call (its 401 token_expired), one by the live socket
    expect(refreshRequests).toHaveLength(2);
    const refused = wire!.connections.filter((c) => c.headers.upgrade === 'websocket').slice(-2);
    expect(refused.map((c) => c.status)).toEqual([401, 401]);
    aheadMs = 0;
  }, 30_000);
});

/** Resolves once `condition()` holds, checking every 20 ms; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
