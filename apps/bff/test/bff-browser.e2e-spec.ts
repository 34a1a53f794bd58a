import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, signInAtAuthServer } from '../../../test/support/chromium.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { damageAccessToken } from './support/sessions.js';
import { testDpopKey } from './support/dpop-key.js';

/** The BFF's DPoP key: replicas sharing Redis share it, as they share SESSION_SECRET. */
const dpopKey = testDpopKey();

/** The BFF pattern in a real browser: the page works, and the browser holds no token. */
describe('bff: browser flow in Chromium', () => {
  let stack: DemoStack | undefined;
  let redis: TestRedis | undefined; // sessions in Redis, so that a test can damage a session's token
  let bff: RunningBff;
  let front: Relay | undefined; // the BFF's public origin, before the BFF exists
  let origin: string;
  let issuer: string;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  /** Chromium's reports of anything the page's CSP blocked: the page must need nothing inline. */
  const cspViolations: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    front = await openRelay('localhost');
    origin = front.url;
    stack = await startDemoStack({ host: 'localhost', accessTokenTtlSeconds: 60, bffOrigin: origin });
    issuer = stack.issuer;
    const config = bffConfigFromEnv({
      PORT: '0',
      HOST: 'localhost',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: issuer,
      TODO_API_URL: stack.todoApi.url,
      HELP_API_URL: stack.helpApi.url,
      REDIS_URL: redis.url,
      SESSION_SECRET: 'browser-spec-secret',
      BFF_DPOP_KEY: dpopKey.env,
    }) as BffConfig;
    bff = await startBff(config, { logger: ['error'] });
    front.forwardTo(bff.url);
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await bff?.close();
    await front?.close();
    await stack?.close();
    await redis?.stop();
  });

  it('logs in through the BFF and shows the user, todos and tickets', async () => {
    await page.goto(`${origin}/`);
    await page.locator('#login').click();
    await signInAtAuthServer(page, issuer, 'alice');
    await page.waitForURL(`${origin}/`);
    await page.locator('#user-name', { hasText: 'Alice Admin' }).waitFor();
    await page.locator('#todo-title').fill('bought via the BFF');
    await page.locator('#todo-add').click();
    await page.locator('#todo-list li', { hasText: 'bought via the BFF' }).waitFor();
    expect(await page.locator('#error').innerText()).toBe('');
    expect(cspViolations).toEqual([]);
  });

  it('gives the browser only the __Host-, HttpOnly, Secure, SameSite=Lax session cookie', async () => {
    const cookies = (await context.cookies()).filter((c) => c.domain === 'localhost' && c.name.includes('bff'));
    expect(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite, c.path])).toEqual([
      ['__Host-bff.sid', true, true, 'Lax', '/'],
    ]);
    expect((await context.cookies(origin)).map((c) => c.name)).not.toContain('app.at');
    expect(await page.evaluate(() => document.cookie)).not.toContain('bff.sid');
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toMatch(/eyJ/);
  });

  it('refuses a cross-origin POST made from another page (CSRF)', async () => {
    const other = await context.newPage();
    await other.goto(`${issuer}/.well-known/openid-configuration`); // another origin (another port)
    // a simple request (no preflight): the browser sends it with the session cookie, since
    // another port is the same site; only the BFF's Origin check stands in the way
    await other.evaluate(async (target) => {
      // the answer is opaque, or blocked outright by the BFF's Cross-Origin-Resource-Policy
      await fetch(`${target}/api/todos`, {
        method: 'POST',
        mode: 'no-cors',
        credentials: 'include',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ title: 'forged' }),
      }).catch(() => undefined);
    }, origin);
    await other.close();
    const todos = await page.evaluate(async () => (await fetch('/api/todos')).json());
    expect(JSON.stringify(todos)).not.toContain('forged');
  });

  it('logs out: the page offers login again and the API routes answer 401', async () => {
    await page.locator('#logout').click();
    // the BFF sends id_token_hint: the provider ends its session without asking (auth-server's logout rule)
    await page.waitForURL(`${origin}/`);
    await page.locator('#login').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/todos')).status);
    expect(status).toBe(401);
  });

  it('shows "log in again" with the reason when an API refuses the token for anything but expiry, without a refresh', async () => {
    await page.locator('#login').click(); // the provider's session ended with the logout above
    await page.waitForURL((url) => url.href.startsWith(`${issuer}/interaction/`));
    await page.locator('input[name=username]').fill('alice');
    await page.locator('input[name=password]').fill('alice');
    // the page's last call after login: the token is damaged only once the page is done with it
    const settled = page.waitForResponse((response) => response.url() === `${origin}/api/tickets`);
    await page.locator('button[type=submit]').click();
    await page.locator('#user-name', { hasText: 'Alice Admin' }).waitFor();
    expect((await settled).status()).toBe(200);
    // and its live socket, the last thing it opens: the relay reads the session's token too
    await page.locator('#live-status[data-state="live"]').waitFor();
    const store = new Redis(redis!.url);
    try {
      await damageAccessToken(store, 'alice');
    } finally {
      store.disconnect();
    }
    const refreshes = bff.refreshes();
    await page.reload();
    await page.locator('#login').waitFor(); // shown by the page's script after the API's 401
    expect(await page.locator('#error').innerText()).toBe(
      'Your session has ended (signature_invalid): please log in again.',
    );
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(bff.refreshes()).toBe(refreshes);
  });
});
