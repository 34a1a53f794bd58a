import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { launchChromium } from '../../../test/support/chromium.js';
import { addTodo, logInLive, recordSockets, type WatchedSocket } from '../../../test/support/todo-page.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { openWs } from '../../../test/support/websocket-clients.js';
import { testDpopKey } from './support/dpop-key.js';
import { damageAccessToken } from './support/sessions.js';
import { Redis } from 'ioredis';

// short, because one step waits for todo-api to close the upstream socket at the token's exp
const ACCESS_TOKEN_TTL_SECONDS = 8;
const dpopKey = testDpopKey();

/**
 * The BFF's live relay in Chromium: the page holds a WebSocket to the BFF's own `/live`
 * (session cookie, same origin); the BFF holds one to todo-api's `/live` with the session's
 * DPoP-bound token and relays its todo events, refreshing the token when todo-api closes at
 * its expiry.
 */
describe("bff: live updates relayed from todo-api's /live, in Chromium", () => {
  let stack: DemoStack | undefined;
  let redis: TestRedis | undefined; // sessions in Redis: the relay reads them back, and a test damages one
  let bff: RunningBff | undefined;
  let front: Relay | undefined;
  let origin: string;
  let issuer: string;
  let browser: Browser | undefined;
  let alice: BrowserContext;
  let page: Page;
  const sockets: WatchedSocket[] = [];
  /** The upgrade requests todo-api received (only the BFF opens sockets there). */
  const upstreamHandshakes: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    front = await openRelay('localhost');
    origin = front.url;
    stack = await startDemoStack({
      host: 'localhost',
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      bffOrigin: origin,
      // no tolerance: todo-api closes the socket at the token's exp, not 30 s later
      apiEnv: { OAUTH_CLOCK_TOLERANCE: '0' },
    });
    issuer = stack.issuer;
    // a second listener only watches: todo-api's adapter still answers every upgrade to /live
    stack.todoApi.app
      .getHttpServer()
      .on('upgrade', (request: IncomingMessage) => upstreamHandshakes.push(request.headers));
    const config = bffConfigFromEnv({
      PORT: '0',
      HOST: 'localhost',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: issuer,
      TODO_API_URL: stack.todoApi.url,
      HELP_API_URL: stack.helpApi.url,
      REDIS_URL: redis.url,
      SESSION_SECRET: 'live-spec-secret',
      BFF_DPOP_KEY: dpopKey.env,
    }) as BffConfig;
    bff = await startBff(config, { logger: ['error'] });
    front.forwardTo(bff.url);
    browser = await launchChromium();
    alice = await browser.newContext();
    page = await alice.newPage();
    recordSockets(page, sockets);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bff?.close();
    await front?.close();
    await stack?.close();
    await redis?.stop();
  });

  const logIn = (tab: Page, username: string) => logInLive(tab, origin, issuer, username);

  const titles = async () =>
    (await page.locator('#todo-list li').allInnerTexts()).map((text) => text.replace(/\s*Delete$/, ''));
  const todosFrames = () => sockets.at(-1)!.frames.filter((frame) => frame.startsWith('{"event":"todos"')).length;

  it("connects the page to the BFF's /live, and the BFF to todo-api's with the DPoP-bound token and a proof", async () => {
    await logIn(page, 'alice');
    expect(sockets.map(({ socket }) => socket.url())).toEqual([`${origin.replace('http', 'ws')}/live`]);
    expect(upstreamHandshakes).toHaveLength(1);
    const [upstream] = upstreamHandshakes;
    expect(upstream!.authorization).toMatch(/^DPoP [\w-]+\.[\w-]+\.[\w-]+$/);
    const proof = JSON.parse(Buffer.from(String(upstream!.dpop).split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(proof).toMatchObject({ htm: 'GET', htu: `${stack!.todoApi.url}/live` });
    expect([upstream!.cookie, upstream!.origin]).toEqual([undefined, undefined]);
    expect(await page.locator('#error').innerText()).toBe('');
  }, 30_000);

  it("shows a todo added through the BFF in another tab without a reload, and never another user's", async () => {
    await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
    const tab = await alice.newPage();
    await tab.goto(`${origin}/`);
    await addTodo(tab, 'From the other tab');
    await page.locator('#todo-list li', { hasText: 'From the other tab' }).waitFor();

    const carol = await browser!.newContext();
    const carolsPage = await carol.newPage();
    await logIn(carolsPage, 'carol');
    await addTodo(carolsPage, "Carol's secret");
    await carol.close();
    // one socket's events come in order: carol's, had it been relayed, would be here first
    await addTodo(tab, 'After carol');
    await page.locator('#todo-list li', { hasText: 'After carol' }).waitFor();
    expect(await titles()).toEqual(['From the other tab', 'After carol']);
    expect(sockets.flatMap(({ frames }) => frames).join('\n')).not.toContain("Carol's secret");

    await tab.locator('#todo-list li', { hasText: 'From the other tab' }).locator('.todo-delete').click();
    await page.locator('#todo-list li', { hasText: 'From the other tab' }).waitFor({ state: 'detached' });
    await tab.close();
    expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
  }, 60_000);

  it("lets no page of another origin open the BFF's /live: the upgrade is refused 403", async () => {
    const other = await alice.newPage();
    await other.goto(`${issuer}/.well-known/openid-configuration`); // another origin (another port), same site
    const outcome = await other.evaluate(
      (url) =>
        new Promise<{ opened: boolean; code: number }>((resolve) => {
          const socket = new WebSocket(url);
          let opened = false;
          socket.onopen = () => (opened = true);
          socket.onclose = (event) => resolve({ opened, code: event.code });
        }),
      `${origin.replace('http', 'ws')}/live`,
    );
    await other.close();
    expect(outcome).toEqual({ opened: false, code: 1006 });
    // what the browser cannot see: the answers to the same handshake, with the session cookie
    const sid = (await alice.cookies(origin)).find((c) => c.name === '__Host-bff.sid')!.value;
    const cookie = `__Host-bff.sid=${sid}`;
    expect(await handshakeStatus(origin, { cookie, origin: issuer })).toBe(403);
    expect(await handshakeStatus(origin, { cookie })).toBe(403); // no Origin: not a page of the BFF's
    expect(await handshakeStatus(origin, { origin })).toBe(401); // no session
    expect(await handshakeStatus(origin, { cookie, origin })).toBe(101);
  }, 30_000);

  it('refreshes when todo-api closes the upstream socket at the token expiry, and goes on relaying', async () => {
    const refreshes = bff!.refreshes();
    const pageSockets = sockets.length;
    const handshakes = upstreamHandshakes.length;
    const resyncs = todosFrames();
    // outside events, polled for: todo-api closes at exp, the BFF refreshes and sends the list again
    await until(() => todosFrames() > resyncs, ACCESS_TOKEN_TTL_SECONDS * 1000 + 10_000);
    expect(bff!.refreshes()).toBeGreaterThan(refreshes);
    expect(upstreamHandshakes.length).toBeGreaterThan(handshakes);
    expect(upstreamHandshakes.at(-1)!.authorization).not.toBe(upstreamHandshakes[handshakes - 1]!.authorization);
    expect(sockets).toHaveLength(pageSockets); // the page's socket stayed open throughout
    expect(sockets.at(-1)!.socket.isClosed()).toBe(false);

    const tab = await alice.newPage();
    await tab.goto(`${origin}/`);
    await addTodo(tab, 'After the expiry');
    await page.locator('#todo-list li', { hasText: 'After the expiry' }).waitFor();
    await tab.close();
    expect(await page.locator('#live-status').innerText()).toBe('live');
    expect(await page.locator('#error').innerText()).toBe('');
  }, 60_000);

  it("closes the session's live sockets at logout: the page says to log in again", async () => {
    const tab = await alice.newPage();
    await tab.goto(`${origin}/`);
    await tab.locator('#logout').click();
    await tab.waitForURL(`${origin}/`);
    await page.locator('#login').waitFor();
    expect(await page.locator('#error').innerText()).toBe('Your session has ended (logged_out): please log in again.');
    expect(sockets.at(-1)!.socket.isClosed()).toBe(true);
    await tab.close();
  }, 30_000);

  it("closes the page's socket with 4401 and todo-api's reason when it refuses the session's token, and forgets the token", async () => {
    const bob = await browser!.newContext();
    await logIn(await bob.newPage(), 'bob');
    const cookie = `__Host-bff.sid=${(await bob.cookies(origin)).find((c) => c.name === '__Host-bff.sid')!.value}`;
    await bob.close();
    const store = new Redis(redis!.url);
    try {
      await damageAccessToken(store, 'bob');
    } finally {
      store.disconnect();
    }
    const refreshes = bff!.refreshes();
    const opened = await openWs(`${origin.replace('http', 'ws')}/live`, { cookie, origin });
    expect(await opened.client!.closed()).toEqual({ code: 4401, reason: 'signature_invalid' });
    expect(opened.client!.unread()).toEqual([]);
    expect(bff!.refreshes()).toBe(refreshes); // a refresh cannot mend a forged token
    expect((await fetch(`${origin}/session`, { headers: { cookie } })).status).toBe(401);
  }, 30_000);

  it('closes the open sockets at shutdown (1001), and shuts down', async () => {
    const carol = await browser!.newContext();
    const carolsPage = await carol.newPage();
    const socket = carolsPage.waitForEvent('websocket');
    await logIn(carolsPage, 'carol');
    const closed = (await socket).waitForEvent('close');
    const cookie = `__Host-bff.sid=${(await carol.cookies(origin)).find((c) => c.name === '__Host-bff.sid')!.value}`;
    const opened = await openWs(`${origin.replace('http', 'ws')}/live`, { cookie, origin });
    await opened.client!.next('todos'); // relaying: the upstream socket is open
    const running = bff!;
    bff = undefined;
    await running.close();
    expect(await opened.client!.closed()).toEqual({ code: 1001, reason: 'going_away' });
    await closed;
    await carol.close();
  }, 30_000);
});

/** The status a `ws` client gets for a handshake with `/live` of `origin`, sending `headers`. */
function handshakeStatus(base: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/live`, { headers });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => {
      if (!('statusCode' in error)) reject(error);
    });
  });
}

/** Resolves once `condition()` holds, checking every 20 ms; fails after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
