import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium, signInAtAuthServer } from './support/chromium.js';
import { openWs } from './support/websocket-clients.js';

const REPOSITORY = fileURLToPath(new URL('..', import.meta.url));
/** The demo's fixed ports, as `npm start` prints them. */
const PORTS: readonly (readonly [app: string, port: number])[] = [
  ['web', 3000],
  ['todo-api', 3001],
  ['help-api', 3002],
  ['proxy', 3004],
  ['bff', 3005],
  ['auth-server', 4000],
];
/** The page's address, as the banner prints it: a host name of its own (Chromium resolves *.localhost). */
const WEB = 'http://web.demo.localhost:3000';
/** The same app for Node, which does not resolve *.localhost: server-side calls use localhost. */
const WEB_FROM_NODE = 'http://localhost:3000';
// the build is incremental, but a cold one on a busy machine takes a while
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;

/** Whether nothing listens on `port`: binds it on all interfaces, as the demo's apps do. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function takenPorts(): Promise<string[]> {
  const taken: string[] = [];
  for (const [app, port] of PORTS) if (!(await portIsFree(port))) taken.push(`${port} (${app})`);
  return taken;
}

/**
 * The pid of `node scripts/start-demo.mjs` in process group `group` (read from Linux's /proc):
 * `npm start` runs it under npm and a shell, in the group the test spawned.
 */
function demoScriptPid(group: number): number {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const [command = '', script] = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const processGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]); // state, ppid, pgrp
      if (processGroup === group && basename(command) === 'node' && script === 'scripts/start-demo.mjs')
        return Number(entry);
    } catch {
      // the process ended while being read
    }
  }
  throw new Error(`no "node scripts/start-demo.mjs" in process group ${group}`);
}

/** Resolves with the exit code and signal, or with `undefined` after `timeoutMs`. */
function exited(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null } | undefined> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/**
 * The README's run command as a new user runs it: `npm start` builds, starts every app on its
 * fixed port, and prints the banner; a login through the web app opens the APIs; SIGINT stops
 * it all.
 */
describe('npm start (the whole demo, as the README runs it)', () => {
  let demo: ChildProcess | undefined;
  let output = '';
  let accessToken: string | undefined;
  let idToken: string | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const taken = await takenPorts();
    if (taken.length > 0)
      throw new Error(
        `npm start needs ports that are already in use: ${taken.join(', ')}. Stop whatever listens there and run this test again.`,
      );
    demo = spawn('npm', ['start'], {
      cwd: REPOSITORY,
      // a new user's shell: no REDIS_URL or OAUTH_* of the test run leaks into the demo
      env: { PATH: process.env.PATH ?? '', ...(process.env.HOME ? { HOME: process.env.HOME } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a terminal's foreground job
    });
    const started = demo;
    started.stdout!.on('data', (chunk) => (output += chunk));
    started.stderr!.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "Demo running" banner within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
        START_TIMEOUT_MS,
      );
      started.stdout!.on('data', () => {
        if (output.includes('Demo running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code ?? signal}) before the banner:\n${output}`));
      });
    });
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await browser?.close();
    // safety net when a step failed: Ctrl-C's way first (the demo stops its apps), then force
    if (!demo?.pid || demo.exitCode !== null || demo.signalCode !== null) return;
    process.kill(-demo.pid, 'SIGTERM');
    if (!(await exited(demo, STOP_TIMEOUT_MS))) process.kill(-demo.pid, 'SIGKILL');
  }, 2 * STOP_TIMEOUT_MS);

  it('prints the URL to open and the dev users', () => {
    expect(output).toContain(`Demo running. Open ${WEB}`);
    expect(output).toContain('alice / alice');
  });

  it('serves the web page on :3000, calling each API and the proxy by its own host name, linking the BFF', async () => {
    const response = await fetch(`${WEB_FROM_NODE}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('id="login"');
    expect(html).toContain('<section id="proxy-section">');
    expect(html).toContain(
      '{"todoApiUrl":"http://todo.demo.localhost:3001","helpApiUrl":"http://help.demo.localhost:3002","proxyUrl":"http://proxy.demo.localhost:3004"}',
    );
    expect(html).toContain('href="http://bff.demo.localhost:3005"');
  });

  it('runs the authorization server on :4000 with issuer http://localhost:4000', async () => {
    const response = await fetch('http://localhost:4000/.well-known/openid-configuration');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { issuer: string }).issuer).toBe('http://localhost:4000');
  });

  // the APIs run with OAUTH_DPOP=allowed (the BFF's tokens are DPoP-bound): both challenges
  const bearerAndDpop = (realm: string) => `Bearer realm="${realm}", DPoP realm="${realm}", algs="ES256 RS256 PS256"`;
  it.each([
    ['todo-api', 'http://localhost:3001', '/todos', 'todo-api', bearerAndDpop('todo-api')],
    ['help-api', 'http://localhost:3002', '/tickets', 'help-api', bearerAndDpop('help-api')],
    ['proxy', 'http://localhost:3004', '/api/todos', 'todo-api', 'Bearer realm="todo-api"'],
  ])('runs %s at %s: /health 200, %s 401 with realm %s', async (_app, base, path, _realm, challenge) => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const anonymous = await fetch(`${base}${path}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(challenge);
  });

  it('runs the BFF on :3005', async () => {
    expect((await fetch('http://localhost:3005/')).status).toBe(200);
  });

  it('logs alice in with Chromium at web.demo.localhost: app.at on the parent domain, the rest host-only', async () => {
    browser = await launchChromium();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${WEB}/`);
    await page.locator('#login').click();
    await signInAtAuthServer(page, 'http://localhost:4000', 'alice');
    await page.waitForURL(`${WEB}/`);
    await page.locator('#user-name', { hasText: 'Alice Admin' }).waitFor();
    // the page loaded her todos and tickets from todo. and help.demo.localhost with the cookie
    await page.locator('#app[aria-busy="false"]').waitFor();
    expect(await page.locator('#error').innerText()).toBe('');

    const cookies = await context.cookies();
    const byName = new Map(cookies.map((cookie) => [cookie.name, cookie]));
    expect(byName.get('app.at')).toMatchObject({ domain: '.demo.localhost', httpOnly: true, secure: true });
    for (const name of ['__Host-app.rt', '__Host-app.idt'])
      expect(byName.get(name)).toMatchObject({ domain: 'web.demo.localhost', path: '/', secure: true });
    // each cookie on its own app's host: app.at on the parent domain, auth-server's on localhost
    for (const { name, domain } of cookies) {
      const host =
        name === 'app.at' ? '.demo.localhost' : name.startsWith('__Host-') ? 'web.demo.localhost' : 'localhost';
      expect(`${name} on ${domain}`).toBe(`${name} on ${host}`);
    }
    accessToken = byName.get('app.at')?.value;
    idToken = byName.get('__Host-app.idt')?.value;
    expect(accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  }, 60_000);

  it("opens todo-api with alice's app.at cookie, directly and through the proxy", async () => {
    const headers = { cookie: `app.at=${accessToken}` };
    expect((await fetch('http://localhost:3001/todos', { headers })).status).toBe(200);
    expect((await fetch('http://localhost:3004/api/todos', { headers })).status).toBe(200);
  });

  it("serves todo-api's /graphql and /live (issue 16) with alice's token", async () => {
    const authorization = `Bearer ${accessToken}`;
    const added = await fetch('http://localhost:3001/graphql', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { addTodo(title: "from npm start") { title } }' }),
    });
    expect(await added.json()).toEqual({ data: { addTodo: { title: 'from npm start' } } });
    const listed = await fetch('http://localhost:3001/graphql', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ todos { title } }' }),
    });
    expect(JSON.stringify(await listed.json())).toContain('"title":"from npm start"');
    const anonymous = await fetch('http://localhost:3001/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ todos { title } }' }),
    });
    expect(((await anonymous.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'token_missing',
    });
    const live = await openWs('ws://localhost:3001/live', { authorization });
    expect(live.refused).toBeUndefined();
    live.client!.send('todos');
    expect(JSON.stringify(await live.client!.next('todos'))).toContain('"title":"from npm start"');
    live.client!.close();
    expect((await openWs('ws://localhost:3001/live')).refused).toMatchObject({ status: 401 });
  });

  it.each([
    ['todo-api', 'http://localhost:3001/me'],
    ['proxy', 'http://localhost:3004/api/todos'],
  ])('runs %s with OAUTH_REQUIRE_AT_JWT: the id token is refused for its typ', async (_app, url) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${idToken}` } });
    expect(response.status).toBe(401);
    // without OAUTH_REQUIRE_AT_JWT the header would pass, and the aud (web) would fail
    expect(await response.json()).toMatchObject({ reason: 'token_type_not_accepted' });
  });

  it(
    `stops on SIGINT: exits with 0 within ${STOP_TIMEOUT_MS / 1000} s and closes every port`,
    async () => {
      // to the demo's own process: a terminal's Ctrl-C signals the whole group, where npm dies
      // of the SIGINT at once (status 130) and so could not report the demo's exit status
      process.kill(demoScriptPid(demo!.pid!), 'SIGINT');
      // npm start ends with the demo's status
      expect(await exited(demo!, STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
      expect(await takenPorts()).toEqual([]);
    },
    STOP_TIMEOUT_MS + 5_000,
  );
});
