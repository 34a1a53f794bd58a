import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../test/support/chromium.js';
import { Browser as FetchBrowser, formAction } from '../../../test/support/fetch-browser.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { authServerConfigFromEnv } from '../../auth-server/src/auth-server-config.js';
import { startAuthServer, type RunningAuthServer } from '../../auth-server/src/auth-server.js';
import { webConfigFromEnv } from '../src/web-config.js';
import { startWeb, type RunningWeb } from '../src/web.js';

/** The parent domain of web and of the attacker's page: one site, two hosts (Chromium resolves *.localhost). */
const PARENT_DOMAIN = 'demo.localhost';

/** What the attacker brings from a login of their own (carol) that they stopped before the callback. */
interface AttackerLogin {
  /** The sealed login state web gave the attacker's browser (`__Host-app.login`). */
  readonly loginCookie: string;
  /** web's callback with the attacker's code, state and iss. */
  readonly callbackUrl: string;
}

/**
 * Login CSRF, the attack of issue 13: a page on a sibling host (same site) plants its own login
 * cookie and sends the victim to web's callback with the attacker's code, so that the victim
 * would work in the attacker's account. With the login state in `__Host-app.login`, no
 * sibling host can plant it, and a code the attacker obtained fails the state and PKCE checks
 * against the victim's own login.
 */
describe('web: login CSRF from a same-site page (Chromium)', () => {
  let auth: RunningAuthServer | undefined;
  let web: RunningWeb | undefined;
  let front: Relay | undefined;
  let evil: Server | undefined;
  let browser: Browser | undefined;
  let webOrigin: string;
  let evilOrigin: string;
  /** What the attacker's page plants and where it sends the victim; set by each test. */
  let attack: AttackerLogin & { readonly setCookies: readonly string[] };

  beforeAll(async () => {
    front = await openRelay('127.0.0.1');
    webOrigin = `http://web.${PARENT_DOMAIN}:${front.port}`;
    auth = await startAuthServer({
      ...authServerConfigFromEnv({ PORT: '0', HOST: 'localhost', WEB_ORIGIN: webOrigin }),
      issuer: undefined, // http://localhost:<the port it got>
    });
    const config = webConfigFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      WEB_ORIGIN: webOrigin,
      OAUTH_ISSUER: auth.url,
      TODO_API_URL: `http://todo.${PARENT_DOMAIN}:1`, // never called here
      HELP_API_URL: `http://help.${PARENT_DOMAIN}:1`,
      COOKIE_DOMAIN: PARENT_DOMAIN,
    });
    web = await startWeb(config, false);
    front.forwardTo(web.url);

    // the attacker's page: plants cookies for the parent domain, then sends the browser on
    evil = createServer((_request, response) => {
      response.setHeader('set-cookie', [...attack.setCookies]);
      response.setHeader('content-type', 'text/html');
      response.end(
        `<!doctype html><script>
          document.cookie = '__Host-app.login=${attack.loginCookie}; domain=${PARENT_DOMAIN}; path=/; secure';
          document.cookie = '__Host-app.login=${attack.loginCookie}; path=/; secure';
          location.href = ${JSON.stringify(attack.callbackUrl)};
        </script>`,
      );
    });
    await new Promise<void>((resolve) => evil!.listen(0, '127.0.0.1', resolve));
    evilOrigin = `http://evil.${PARENT_DOMAIN}:${(evil.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (evil ? evil.close(resolve) : resolve(undefined)));
    await web?.close();
    await front?.close();
    await auth?.close();
  });

  /** carol's login in the attacker's own browser, stopped where web's callback would take the code. */
  async function attackerLogin(): Promise<AttackerLogin> {
    const attacker = new FetchBrowser();
    const start = await attacker.request(`${web!.url}/login`);
    const line = start.headers.getSetCookie().find((cookie) => cookie.startsWith('__Host-app.login='))!;
    const form = await attacker.follow(start.headers.get('location')!, `${webOrigin}/callback`);
    const html = await form.response!.text();
    const back = await attacker.submit(
      formAction(html, form.url),
      { username: 'carol', password: 'carol' },
      `${webOrigin}/callback`,
    );
    expect(back.url.searchParams.get('code')).toEqual(expect.any(String));
    return { loginCookie: line.slice('__Host-app.login='.length, line.indexOf(';')), callbackUrl: back.url.href };
  }

  /** The victim opens the attacker's page, which sends them to web's callback; the callback's answer. */
  async function victimVisitsAttackerPage(page: Page) {
    const [callback] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${webOrigin}/callback`)),
      page.goto(`${evilOrigin}/`),
    ]);
    const response = (await callback.response())!;
    const redirected = response.status() >= 300 && response.status() < 400; // a redirect has no body to read
    return {
      status: response.status(),
      text: redirected ? '' : await response.text(),
      headers: await callback.allHeaders(),
    };
  }

  /** Who the victim's browser is logged in as at web: the name on the page, or '' when logged out. */
  async function loggedInAs(context: BrowserContext): Promise<string> {
    const page = await context.newPage();
    await page.goto(`${webOrigin}/`);
    await page.locator('#login:visible, #logout:visible').first().waitFor(); // the script has run
    const name = await page.locator('#user-name').innerText();
    await page.close();
    return name;
  }

  it('refuses a login cookie planted by a sibling host: 400, and the victim is not logged in as carol', async () => {
    const login = await attackerLogin();
    attack = {
      ...login,
      setCookies: [
        // the browser refuses a __Host- cookie with Domain, so only the unprefixed name lands
        `__Host-app.login=${login.loginCookie}; Domain=${PARENT_DOMAIN}; Path=/; Secure; HttpOnly; SameSite=Lax`,
        `app.login=${login.loginCookie}; Domain=${PARENT_DOMAIN}; Path=/; Secure; HttpOnly; SameSite=Lax`,
      ],
    };
    const context = await browser!.newContext();
    const page = await context.newPage();

    const callback = await victimVisitsAttackerPage(page);

    expect(callback.headers['sec-fetch-site']).toBe('same-site'); // the same-site attacker of the issue
    expect(callback.headers.cookie).toContain(`app.login=${login.loginCookie}`); // planted under the old name
    expect(callback.headers.cookie).not.toContain('__Host-app.login=');
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('No login in progress');
    const names = (await context.cookies(webOrigin)).map((cookie) => cookie.name);
    expect(names).not.toContain('app.at');
    expect(names).not.toContain('__Host-app.idt');
    expect(await loggedInAs(context)).toBe('');
    await context.close();
  }, 60_000);

  it("refuses the attacker's code against the victim's own login in progress: 400, not logged in as carol", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    // the victim starts a login of their own and is on the provider's form
    await page.goto(`${webOrigin}/login`);
    await page.waitForURL((url) => url.href.startsWith(`${auth!.url}/interaction/`));
    expect((await context.cookies(webOrigin)).map((cookie) => cookie.name)).toContain('__Host-app.login');
    attack = { ...(await attackerLogin()), setCookies: [] };

    const callback = await victimVisitsAttackerPage(page);

    expect(callback.status).toBe(400);
    expect(callback.text).toContain('The login did not succeed'); // state (and PKCE) belong to another login
    expect((await context.cookies(webOrigin)).map((cookie) => cookie.name)).not.toContain('app.at');
    expect(await loggedInAs(context)).toBe('');
    await context.close();
  }, 60_000);

  it('logs the browser in as carol when it holds her login cookie itself (what the prefix keeps siblings from doing)', async () => {
    // the control: the attacker's material is good; only its delivery fails above
    const login = await attackerLogin();
    attack = { ...login, setCookies: [] };
    const context = await browser!.newContext();
    await context.addCookies([
      {
        name: '__Host-app.login',
        value: login.loginCookie,
        domain: new URL(webOrigin).hostname, // without a leading dot: host-only, as __Host- requires
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const page = await context.newPage();

    const callback = await victimVisitsAttackerPage(page);

    expect(callback.status).toBe(302);
    expect(await loggedInAs(context)).toBe('Carol User');
    await context.close();
  }, 60_000);
});
