import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser as Chromium, BrowserContext } from 'playwright-core';
import { launchChromium } from '../../../test/support/chromium.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { Browser } from '../../../test/support/fetch-browser.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { codeForCallback } from './support/log-in.js';

/**
 * Issue 13's login CSRF, rerun in Chromium: a same-site page plants the attacker's pre-login
 * session cookie in the victim's browser and sends the victim to the BFF's callback with the
 * attacker's code; the victim was logged in as the attacker (carol). And the framing of the
 * logged-in page by a same-site page. The BFF has a host name of its own, `bff.app.localhost`,
 * and the attacker's page is its sibling `evil.app.localhost`, which may set cookies for the
 * parent `app.localhost` as a sibling subdomain may for `example.com` in production; Chromium
 * resolves `*.localhost` to loopback by itself. (With the cookie named plain `bff.sid`, the
 * planted `Domain=app.localhost` cookie reaches the BFF and this spec fails: the attack works.)
 */
describe('bff: a same-site attacker in Chromium', () => {
  let stack: DemoStack;
  let front: Relay;
  let origin: string;
  let bff: RunningBff;
  let evil: Server;
  let evilOrigin: string;
  let chromium: Chromium;
  let victim: BrowserContext;
  /** What the attacker's page sets and where it sends the victim. */
  let plant: { cookie: string; callback: string } | undefined;

  beforeAll(async () => {
    front = await openRelay('127.0.0.1');
    origin = `http://bff.app.localhost:${front.port}`;
    stack = await startDemoStack({ host: 'localhost', accessTokenTtlSeconds: 300, bffOrigin: origin });
    const config = bffConfigFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: stack.issuer,
      TODO_API_URL: stack.todoApi.url,
      HELP_API_URL: stack.helpApi.url,
    }) as BffConfig;
    bff = await startBff(config, { logger: ['error'] });
    front.forwardTo(bff.url);
    evil = createServer((request, response) => {
      if (request.url === '/plant' && plant) {
        const value = plant.cookie;
        // every way a sibling host might plant a session cookie for bff.localhost
        response.setHeader('set-cookie', [
          `bff.sid=${value}; Path=/`,
          `bff.sid=${value}; Path=/; Domain=app.localhost`,
          `__Host-bff.sid=${value}; Path=/; Secure; HttpOnly; SameSite=Lax`,
          `__Host-bff.sid=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Domain=app.localhost`,
          `__Host-bff.sid=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Domain=bff.app.localhost`,
          `__Secure-bff.sid=${value}; Path=/; Secure; Domain=app.localhost`,
        ]);
        response.writeHead(302, { location: plant.callback }).end();
      } else if (request.url === '/frame') {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<!doctype html><title>evil</title><iframe id="bff" src="${origin}/"></iframe>`);
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilOrigin = `http://evil.app.localhost:${(evil.address() as AddressInfo).port}`;
    chromium = await launchChromium();
    victim = await chromium.newContext();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await new Promise((resolve) => evil?.close(resolve));
    await bff?.close();
    await front?.close();
    await stack?.close();
  });

  it("does not log the victim in as the attacker with a planted pre-login cookie and the attacker's code", async () => {
    // the attacker starts a login at the BFF in their own browser, signs in as carol and stops
    // before the callback: they hold a pre-login session and a fresh code for it
    const attacker = new Browser();
    const direct = `http://127.0.0.1:${front.port}`;
    const { callback, setCookies } = await codeForCallback(direct, 'carol', attacker, `${origin}/callback`);
    const attackerCookie = /^__Host-bff\.sid=([^;]+)/.exec(setCookies.join('\n'))?.[1];
    if (!attackerCookie) throw new Error('the attacker got no pre-login session cookie');
    plant = { cookie: attackerCookie, callback: callback.href };

    const page = await victim.newPage();
    await page.goto(`${evilOrigin}/plant`);
    expect(page.url().startsWith(`${origin}/callback?`)).toBe(true);
    expect(await page.content()).toContain('no login in progress');
    const session = await page.goto(`${origin}/session`);
    expect(session!.status()).toBe(401);
    await page.goto(`${origin}/`);
    await page.locator('#login').waitFor();
    expect(await page.locator('#user-name').innerText()).toBe('');
    // no planted cookie reached bff.localhost under the name the BFF reads
    const cookies = await victim.cookies(origin);
    expect(cookies.filter((c) => c.name === '__Host-bff.sid' && c.value === attackerCookie)).toEqual([]);

    // the payload was live: the attacker's own browser completes the same login as carol
    const landed = await attacker.request(`${direct}${callback.pathname}${callback.search}`);
    expect(landed.status).toBe(302);
    expect(await (await attacker.request(`${direct}/session`)).json()).toMatchObject({ user: { sub: 'carol' } });
    await page.close();
  });

  it('cannot be framed by a same-site page (frame-ancestors, X-Frame-Options)', async () => {
    const page = await victim.newPage();
    const bffAnswer = page.waitForResponse((response) => response.url() === `${origin}/`);
    await page.goto(`${evilOrigin}/frame`);
    expect((await bffAnswer).status()).toBe(200); // the BFF answered, and Chromium refused to show it
    const frame = page.frames().find((f) => f !== page.mainFrame());
    expect(frame).toBeDefined();
    const shown = await frame!.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    expect(shown).not.toContain('Backend-for-frontend');
    await page.close();
  });
});
