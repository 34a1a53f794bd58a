import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { launchChromium, signInAtAuthServer } from '../../../test/support/chromium.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { ACR_PASSWORD } from '../../auth-server/src/step-up.js';
import { webConfigFromEnv } from '../src/web-config.js';
import { startWeb, type RunningWeb } from '../src/web.js';
import { fakeDateOnly } from '../../../test/support/fake-date.js';

/** The parent domain of the apps the page calls, as `npm start` lays them out. */
const PARENT_DOMAIN = 'demo.localhost';
const named = (name: string, port: number) => `http://${name}.${PARENT_DOMAIN}:${port}`;
/** The claims of a JWT, read by the test only (the page never sees the token). */
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * Step-up (RFC 9470) in Chromium, end to end: "Delete all" on the web page calls todo-api's
 * `DELETE /todos` with the cookie's token, gets 401 `insufficient_user_authentication`, sends the
 * user to the dev authorization server with `acr_values=mfa`, where the password and the dev
 * one-time code give a token with `acr: "mfa"`; back on the page, the retried delete answers 204.
 */
describe('web: step-up for "Delete all" against auth-server and todo-api', () => {
  let stack: DemoStack | undefined;
  let web: RunningWeb | undefined;
  let front: Relay | undefined;
  let browser: Browser | undefined;
  let issuer: string;
  let authorizationEndpoint: string;
  let webOrigin: string;
  let todoUrl: string;

  beforeAll(async () => {
    front = await openRelay('127.0.0.1');
    webOrigin = named('web', front.port);
    stack = await startDemoStack({
      host: 'localhost',
      accessTokenTtlSeconds: 300,
      webOrigin,
      corsOrigins: webOrigin,
      apiEnv: { OAUTH_REQUIRE_AT_JWT: 'true' },
      // read Date at each call, so that the max_age test can set the time (the default is Date.now itself)
      apiOptions: { clock: () => Date.now() },
    });
    issuer = stack.issuer;
    todoUrl = named('todo', stack.todoApi.port);
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      authorization_endpoint: string;
    };
    authorizationEndpoint = metadata.authorization_endpoint;
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await front?.close();
    await stack?.close();
  });

  /** A fresh browser (its own cookies and sessionStorage) on the page, logged in as `username` with a password only. */
  async function loggedIn(username: string): Promise<{ context: BrowserContext; page: Page; deletes: Response[] }> {
    const context = await browser!.newContext();
    const page = await context.newPage();
    const deletes: Response[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'DELETE' && response.url() === `${todoUrl}/todos`) deletes.push(response);
    });
    await page.goto(`${webOrigin}/`);
    await page.locator('#login').click();
    await signIn(page, username);
    await page.waitForURL(`${webOrigin}/`);
    await page.locator('#logout').waitFor();
    return { context, page, deletes };
  }

  async function signIn(page: Page, username: string): Promise<void> {
    await signInAtAuthServer(page, issuer, username);
  }

  /** Reads the dev one-time code the page prints, enters it and submits. */
  async function enterDevCode(page: Page): Promise<void> {
    await page.locator('input[name=code]').waitFor();
    const code = await page.locator('#dev-code').innerText();
    expect(code).toMatch(/^\d{6}$/);
    await page.locator('input[name=code]').fill(code);
    await page.locator('button[type=submit]').click();
  }

  const settled = (page: Page) => page.locator('#app[aria-busy="false"]').waitFor();
  const todoTitles = async (page: Page) => {
    await settled(page);
    return page.locator('#todo-list .todo-title').allInnerTexts();
  };
  async function addTodos(page: Page, titles: string[]): Promise<void> {
    for (const title of titles) {
      await page.locator('#todo-title').fill(title);
      await page.locator('#todo-add').click();
      await page.locator('#todo-list li', { hasText: title }).waitFor();
    }
  }
  const accessTokenClaims = async (context: BrowserContext) =>
    claimsOf((await context.cookies()).find((cookie) => cookie.name === 'app.at')!.value);
  /** What todo-api holds for the cookie's user, asked directly with the cookie's token. */
  const todosAtApi = async (context: BrowserContext) => {
    const token = (await context.cookies()).find((cookie) => cookie.name === 'app.at')!.value;
    const response = await fetch(`${stack!.todoApi.url}/todos`, { headers: { authorization: `Bearer ${token}` } });
    return ((await response.json()) as { title: string }[]).map((todo) => todo.title);
  };

  it('sends the user to sign in with password and one-time code, then retries the delete: 401, then 204, no todos left', async () => {
    const { context, page, deletes } = await loggedIn('carol');
    expect(await accessTokenClaims(context)).toMatchObject({ sub: 'carol', acr: ACR_PASSWORD });
    await addTodos(page, ['Buy milk', 'Call mom']);

    const [authorization] = await Promise.all([
      page.waitForRequest(
        (request) => request.isNavigationRequest() && request.url().startsWith(authorizationEndpoint),
      ),
      page.locator('#todo-delete-all').click(),
    ]);
    // what todo-api's challenge asked for, by way of the page and /login
    expect(new URL(authorization.url()).searchParams.get('acr_values')).toBe('mfa');
    expect(deletes.map((response) => response.status())).toEqual([401]);
    // headers only: the page navigated away, and the browser dropped the body
    expect(deletes[0]!.headers()['www-authenticate']).toBe(
      'Bearer realm="todo-api", error="insufficient_user_authentication", ' +
        'error_description="a stronger authentication is required", acr_values="mfa", ' +
        // the demo's APIs run with OAUTH_DPOP=allowed: a 401 carries both challenges
        'DPoP realm="todo-api", algs="ES256 RS256 PS256"',
    );

    await signIn(page, 'carol');
    await page.locator('input[name=code]').waitFor();
    const code = await page.locator('#dev-code').innerText();
    expect(code).toMatch(/^\d{6}$/);
    await page.locator('input[name=code]').fill(code);
    const [retried] = await Promise.all([
      page.waitForResponse(
        (response) => response.request().method() === 'DELETE' && response.url() === `${todoUrl}/todos`,
      ),
      page.locator('button[type=submit]').click(),
    ]);
    expect(retried.status()).toBe(204);
    expect(page.url()).toBe(`${webOrigin}/`);
    expect(await todoTitles(page)).toEqual([]);
    expect(await page.locator('#error').innerText()).toBe('');
    expect(deletes.map((response) => response.status())).toEqual([401, 204]);
    expect(await accessTokenClaims(context)).toMatchObject({ sub: 'carol', acr: 'mfa', amr: ['pwd', 'otp', 'mfa'] });
    expect(await todosAtApi(context)).toEqual([]);
    // the tab's note is spent: a reload deletes nothing more
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  }, 60_000);

  describe('once the sign-in is older than max_age (time set, not waited for)', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('refreshes, then steps up with max_age=300 alone: password and code again (the session had mfa), then 204', async () => {
      const { context, page, deletes } = await loggedIn('alice');
      await page.locator('#todo-delete-all').click();
      await signIn(page, 'alice');
      await enterDevCode(page);
      await page.waitForURL(`${webOrigin}/`);
      await settled(page);
      expect(deletes.map((response) => response.status())).toEqual([401, 204]);
      const firstAuthTime = Number((await accessTokenClaims(context)).auth_time);
      await addTodos(page, ['Later']);

      // this process's Date only (auth-server, todo-api, web): the browser's cookies stay as they are
      fakeDateOnly(Date.now() + 400_000);
      const [authorization] = await Promise.all([
        page.waitForRequest(
          (request) => request.isNavigationRequest() && request.url().startsWith(authorizationEndpoint),
        ),
        page.locator('#todo-delete-all').click(),
      ]);
      const parameters = new URL(authorization.url()).searchParams;
      expect(parameters.get('max_age')).toBe('300');
      expect(parameters.get('acr_values')).toBeNull(); // acr was mfa; only auth_time was too old
      // the access token had expired too: todo-api said so, the page refreshed, and the
      // refreshed token kept the old auth_time (a refresh is no new sign-in)
      expect(deletes.map((response) => response.status())).toEqual([401, 204, 401, 401]);
      expect(deletes[3]!.headers()['www-authenticate']).toBe(
        'Bearer realm="todo-api", error="insufficient_user_authentication", ' +
          'error_description="a more recent authentication is required", max_age=300, ' +
          // the demo's APIs run with OAUTH_DPOP=allowed: a 401 carries both challenges
          'DPoP realm="todo-api", algs="ES256 RS256 PS256"',
      );

      await signIn(page, 'alice');
      const [retried] = await Promise.all([
        page.waitForResponse(
          (response) => response.request().method() === 'DELETE' && response.url() === `${todoUrl}/todos`,
        ),
        enterDevCode(page),
      ]);
      expect(retried.status()).toBe(204);
      expect(await todoTitles(page)).toEqual([]);
      const claims = await accessTokenClaims(context);
      expect(claims.acr).toBe('mfa');
      expect(Number(claims.auth_time)).toBeGreaterThanOrEqual(firstAuthTime + 400);
      await context.close();
    }, 60_000);
  });

  it('refuses a wrong one-time code: no mfa token, nothing deleted, and the page retries once only', async () => {
    const { context, page, deletes } = await loggedIn('bob');
    await addTodos(page, ['Keep me']);
    await page.locator('#todo-delete-all').click();
    await signIn(page, 'bob');
    await page.locator('input[name=code]').waitFor();
    const code = await page.locator('#dev-code').innerText();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.locator('input[name=code]').fill(wrong);
    await page.locator('button[type=submit]').click();
    await page.locator('text=Invalid one-time code').waitFor();
    expect(page.url().startsWith(`${issuer}/interaction/`)).toBe(true);
    // no new tokens: the cookie still holds the password login's
    expect(await accessTokenClaims(context)).toMatchObject({ sub: 'bob', acr: ACR_PASSWORD });
    expect(await todosAtApi(context)).toEqual(['Keep me']);

    // back on the page without the second factor: one retry, refused, shown, and no new trip to sign in
    await page.goto(`${webOrigin}/`);
    await page.locator('#error', { hasText: 'still asks' }).waitFor();
    expect(await page.locator('#error').innerText()).toBe(
      'todo-api still asks for a stronger sign-in (acr_values=mfa).',
    );
    expect(page.url()).toBe(`${webOrigin}/`);
    expect(deletes.map((response) => response.status())).toEqual([401, 401]);
    expect(await todoTitles(page)).toEqual(['Keep me']);
    await context.close();
  }, 60_000);
});
