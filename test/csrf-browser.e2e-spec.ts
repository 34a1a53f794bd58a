import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { TestIssuer } from 'nest-resource-server/testing';
import { launchChromium } from './support/chromium.js';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

/**
 * The cookie's CSRF threat in a real browser. The victim holds a valid `app.at` cookie on the
 * parent domain `demo.localhost` (the seed's pattern; Chromium resolves every `*.localhost` to
 * loopback), and the built todo-api, help-api and proxy run as `npm run start:<app>` does,
 * trusting one page origin, `app.demo.localhost`. Attacker pages on the same site (a sibling
 * subdomain, or the trusted host on another port: ports never make another site) and on other
 * sites (`127.0.0.1`, `evil.localhost`) try cookie-borne writes by form post and by fetch with
 * credentials. Every one is refused and changes nothing; the trusted page's write succeeds.
 */

const COOKIE_DOMAIN = 'demo.localhost';
const SUB = 'victim';

/** A page server on port 0 of every interface: any path is an empty page of whatever origin the URL names. */
async function pageServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title><body></body>');
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Target {
  readonly name: string;
  /** The app that answers the write (its log names the reason of each refusal). */
  readonly app: () => SpawnedApp;
  /** The write's URL as the browser reaches it (on `demo.localhost`, where the cookie goes). */
  readonly url: () => string;
  /** A valid body for the write. */
  readonly body: Record<string, string>;
  /** What the victim owns there now, read with the token in the header (no cookie, no browser). */
  readonly owned: () => Promise<string[]>;
}

type Attack = 'form' | 'fetch';

/** What the attacker's page got for its write. */
interface Outcome {
  readonly status: number;
  /** The reason the app logged for its refusal: `csrf_rejected` when the cookie came along. */
  readonly reason: string;
  readonly challenge: string | undefined;
  /** The JSON answer, readable only when the write was a navigation (the form). */
  readonly body?: { reason?: string; error?: string };
}

describe('CSRF in Chromium: attacker pages against todo-api, help-api (Express and Fastify) and the proxy (built apps)', () => {
  let issuer: TestIssuer;
  let token: string;
  let pages: Awaited<ReturnType<typeof pageServer>>;
  let otherPort: Awaited<ReturnType<typeof pageServer>>;
  const started: SpawnedApp[] = [];
  let browser: Browser | undefined;
  const contexts = new Map<'Lax' | 'None', BrowserContext>();
  let trustedOrigin: string;
  const port = (app: SpawnedApp) => new URL(app.url).port;
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const targets: Record<string, Target> = {};

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: ['todo-api', 'help-api'] });
    token = issuer.token({ claims: { sub: SUB, scope: 'todo:write help:write' }, expiresInSeconds: 3600 });
    pages = await pageServer();
    otherPort = await pageServer();
    trustedOrigin = `http://app.${COOKIE_DOMAIN}:${pages.port}`;
    // HOST empty: every interface, as deployed; the browser reaches them by their *.localhost names
    const env = { HOST: '', OAUTH_ISSUER: issuer.url, CORS_ORIGINS: trustedOrigin };
    const listOf = async (app: SpawnedApp, path: string, field: 'title' | 'subject') =>
      ((await (await fetch(`${app.url}${path}`, { headers: bearer() })).json()) as Record<string, string>[]).map(
        (item) => item[field]!,
      );
    for (const platform of ['express', 'fastify'] as const) {
      const todoApi = await spawnApp('todo-api', { ...env, HTTP_PLATFORM: platform });
      const helpApi = await spawnApp('help-api', { ...env, HTTP_PLATFORM: platform });
      started.push(todoApi, helpApi);
      const todos = () => listOf(todoApi, '/todos', 'title');
      targets[`todo-api on ${platform}`] = {
        name: 'todo-api',
        app: () => todoApi,
        url: () => `http://todo.${COOKIE_DOMAIN}:${port(todoApi)}/todos`,
        body: { title: 'forged todo' },
        owned: todos,
      };
      targets[`help-api on ${platform}`] = {
        name: 'help-api',
        app: () => helpApi,
        url: () => `http://help.${COOKIE_DOMAIN}:${port(helpApi)}/tickets`,
        body: { subject: 'forged ticket' },
        owned: () => listOf(helpApi, '/tickets', 'subject'),
      };
      if (platform === 'express') {
        // the proxy runs on Express only; its upstream is todo-api, where its writes would land
        const proxy = await spawnApp('proxy', { ...env, UPSTREAM_URL: todoApi.url });
        started.push(proxy);
        targets.proxy = {
          name: 'proxy',
          app: () => proxy,
          url: () => `http://proxy.${COOKIE_DOMAIN}:${port(proxy)}/api/todos`,
          body: { title: 'forged via the proxy' },
          owned: todos,
        };
      }
    }
    browser = await launchChromium();
    for (const sameSite of ['Lax', 'None'] as const) {
      const context = await browser.newContext();
      // as the login would set it: HttpOnly, on the parent domain; Secure (Chromium counts
      // http://*.localhost as a secure context), SameSite=Lax as the seed does, or None
      await context.addCookies([
        {
          name: 'app.at',
          value: token,
          domain: `.${COOKIE_DOMAIN}`,
          path: '/',
          httpOnly: true,
          secure: true,
          sameSite,
        },
      ]);
      contexts.set(sameSite, context);
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(started.map((app) => app.stop()));
    pages?.server.close();
    otherPort?.server.close();
    await issuer?.close();
  });

  /** Opens `origin` in a fresh tab of the context and makes the page try the write. */
  async function attack(sameSite: 'Lax' | 'None', origin: string, target: Target, how: Attack): Promise<Outcome> {
    const page: Page = await contexts.get(sameSite)!.newPage();
    const logged = target.app().output().length;
    try {
      await page.goto(`${origin}/attacker.html`);
      const url = target.url();
      const answered = page.waitForResponse(
        (response) => response.url() === url && response.request().method() === 'POST',
      );
      if (how === 'form') {
        // the classic: a text/plain form whose body reads as JSON, so only the CSRF rule stands in the way
        await page.evaluate(
          ({ url, body }) => {
            const json = JSON.stringify(body);
            const form = document.createElement('form');
            form.method = 'POST';
            form.action = url;
            form.enctype = 'text/plain';
            const input = document.createElement('input');
            input.name = `${json.slice(0, -1)},"x":"`;
            input.value = '"}';
            form.append(input);
            document.body.append(form);
            form.submit();
          },
          { url, body: target.body },
        );
      } else {
        // a simple request: no preflight, so the browser sends it with the cookie it allows
        await page.evaluate(
          ({ url, body }) =>
            fetch(url, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'content-type': 'text/plain' },
              body: JSON.stringify(body),
            }).catch(() => undefined),
          { url, body: target.body },
        );
      }
      const response: Response = await answered;
      const headers = await response.allHeaders();
      return {
        status: response.status(),
        reason: await loggedReason(target.app(), logged),
        challenge: headers['www-authenticate'],
        body: how === 'form' ? ((await response.json()) as Outcome['body']) : undefined,
      };
    } finally {
      await page.close();
    }
  }

  /** The reason of the first refusal `app` logs past `offset` (`<status> <reason> POST <path>`). */
  async function loggedReason(app: SpawnedApp, offset: number): Promise<string> {
    for (let waited = 0; waited < 10_000; waited += 25) {
      const match = /\b(?:401|403) (\w+) POST \//.exec(stripVTControlCharacters(app.output().slice(offset)));
      if (match) return match[1]!;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no refusal logged by the app:\n${app.output().slice(offset)}`);
  }

  const attackers: [string, () => string, 'same-site' | 'cross-site'][] = [
    ['a sibling subdomain (evil.demo.localhost)', () => `http://evil.${COOKIE_DOMAIN}:${pages.port}`, 'same-site'],
    ['the trusted host on another port', () => `http://app.${COOKIE_DOMAIN}:${otherPort.port}`, 'same-site'],
    ['127.0.0.1', () => `http://127.0.0.1:${pages.port}`, 'cross-site'],
    ['evil.localhost', () => `http://evil.localhost:${pages.port}`, 'cross-site'],
  ];
  const TARGETS = ['todo-api on express', 'todo-api on fastify', 'help-api on express', 'help-api on fastify', 'proxy'];
  const cases = TARGETS.flatMap((target) =>
    (['Lax', 'None'] as const).flatMap((sameSite) =>
      attackers.flatMap(([who, origin, site]) =>
        (['form', 'fetch'] as const).map((how) => [target, sameSite, who, how, origin, site] as const),
      ),
    ),
  );

  it.each(cases)(
    '%s, victim cookie SameSite=%s: a write from %s by %s is refused and changes nothing',
    async (targetName, sameSite, _who, how, origin, site) => {
      const target = targets[targetName]!;
      const outcome = await attack(sameSite, origin(), target, how);
      const cookieSent = outcome.reason !== 'token_missing';
      if (cookieSent) {
        // the browser attached the cookie: the Origin rule refuses it, before the token is looked at
        expect(outcome.reason).toBe('csrf_rejected');
        expect(outcome.status).toBe(403);
        if (how === 'form') {
          // a navigation: the page shows the whole answer (a no-cors fetch's stays opaque)
          expect(outcome.challenge).toBeUndefined();
          expect(outcome.body).toMatchObject({ error: 'csrf_rejected', reason: 'csrf_rejected' });
        }
      } else {
        // SameSite (or the browser's third-party cookie rules) withheld it: no token at all
        expect(outcome.status).toBe(401);
        if (how === 'form') {
          expect(outcome.challenge).toMatch(/^Bearer realm="[\w-]+"$/);
          expect(outcome.body).toMatchObject({ reason: 'token_missing' });
        }
      }
      // what SameSite stops and what it doesn't: a same-site page always gets the cookie sent,
      // and so does a cross-site form post when the cookie is SameSite=None
      if (site === 'same-site' || (sameSite === 'None' && how === 'form')) expect(cookieSent).toBe(true);
      if (site === 'cross-site' && sameSite === 'Lax') expect(cookieSent).toBe(false);
      expect(await target.owned()).toEqual([]);
    },
  );

  it.each(TARGETS)('%s accepts the same cookie-borne write from the trusted origin', async (targetName) => {
    const target = targets[targetName]!;
    const before = await target.owned();
    const page = await contexts.get('Lax')!.newPage();
    try {
      await page.goto(`${trustedOrigin}/app.html`);
      const answer = await page.evaluate(
        async ({ url, body }) => {
          const response = await fetch(url, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        },
        { url: target.url(), body: { title: `legit ${targetName}`, subject: `legit ${targetName}` } },
      );
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ owner: SUB });
    } finally {
      await page.close();
    }
    expect(await target.owned()).toEqual([...before, `legit ${targetName}`]);
  });
});
