import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { Browser, formAction } from '../../../test/support/fetch-browser.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { testDpopKey } from './support/dpop-key.js';

/** The BFF's DPoP key: replicas sharing Redis share it, as they share SESSION_SECRET. */
const dpopKey = testDpopKey();

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/**
 * The BFF against the real dev authorization server (oidc-provider) and the real APIs: two BFF
 * instances share sessions in a Redis of the spec's own.
 */
describe('bff (server-side sessions)', () => {
  let stack: DemoStack;
  let redis: TestRedis;
  let redisUrl: string;
  let bffs: RunningBff[];
  let front: Relay; // the public origin, relayed to the first BFF
  let origin: string;
  let now = Date.now();
  const clock = () => now;
  /** Every response the browser got from a BFF: none may carry a token. */
  const seen: string[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    redisUrl = redis.url;
    front = await openRelay('localhost');
    origin = front.url;
    stack = await startDemoStack({ host: 'localhost', accessTokenTtlSeconds: 60, bffOrigin: origin });
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: stack.issuer,
      TODO_API_URL: stack.todoApi.url,
      HELP_API_URL: stack.helpApi.url,
      REDIS_URL: redisUrl,
      SESSION_SECRET: 'spec-session-secret',
      BFF_DPOP_KEY: dpopKey.env,
    };
    const config = bffConfigFromEnv(env) as BffConfig;
    bffs = [await startBff(config, { logger: ['error'], clock })];
    front.forwardTo(bffs[0]!.url);
    bffs.push(await startBff(config, { logger: ['error'], clock }));
  });
  afterAll(async () => {
    await Promise.all(bffs.map((b) => b.close()));
    await front.close();
    await stack.close();
    await redis.stop();
  });

  /** A browser that records what the BFFs answer. */
  class RecordingBrowser extends Browser {
    override async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
      const response = await super.request(url, init);
      if ([origin, ...bffs.map((bff) => bff.url)].some((base) => String(url).startsWith(base))) {
        const body = await response.clone().text();
        seen.push(JSON.stringify([...response.headers]) + body);
      }
      return response;
    }
  }

  /** Logs in through the BFF: /login, the provider's form, /callback. */
  async function logIn(username: string): Promise<RecordingBrowser> {
    const browser = new RecordingBrowser();
    const page = await browser.follow(`${origin}/login`, `${origin}/callback`);
    const html = await page.response!.text();
    const back = await browser.submit(
      formAction(html, page.url),
      { username, password: username },
      `${origin}/callback`,
    );
    const landed = await browser.request(back.url);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/');
    return browser;
  }
  const at = (index: number, path: string) => bffs[index % bffs.length]!.url + path;
  const json = { 'content-type': 'application/json' };

  it('logs in, keeps the tokens server-side and gives the browser only a __Host-, HttpOnly, Secure, SameSite cookie', async () => {
    const browser = new RecordingBrowser();
    const page = await browser.follow(`${origin}/login`, `${origin}/callback`);
    const html = await page.response!.text();
    const back = await browser.submit(
      formAction(html, page.url),
      { username: 'alice', password: 'alice' },
      `${origin}/callback`,
    );
    const landed = await browser.request(back.url);
    const cookie = landed.headers.getSetCookie().find((line) => line.startsWith('__Host-bff.sid='));
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Domain=/i);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    const session = await browser.request(`${origin}/session`);
    expect(await session.json()).toEqual({ user: { sub: 'alice', name: 'Alice Admin', email: 'alice@example.com' } });
  });

  it('calls todo-api (JWT) and help-api (introspection) with the session token', async () => {
    const browser = await logIn('alice');
    const created = await browser.request(`${origin}/api/todos`, {
      method: 'POST',
      headers: { ...json, origin },
      body: JSON.stringify({ title: 'from the bff' }),
    });
    expect(created.status).toBe(201);
    const todos = (await (await browser.request(`${origin}/api/todos`)).json()) as { id: string; title: string }[];
    expect(todos.map((t) => t.title)).toContain('from the bff');
    expect((await browser.request(`${origin}/api/tickets`)).status).toBe(200);
    const id = todos[0]!.id;
    expect((await browser.request(`${origin}/api/todos/${id}`, { method: 'DELETE', headers: { origin } })).status).toBe(
      204,
    );
  });

  it("relays a user's 403 from the API (carol may not delete)", async () => {
    const browser = await logIn('carol');
    const refused = await browser.request(`${origin}/api/todos/x`, { method: 'DELETE', headers: { origin } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('refuses a state-changing request from another origin (CSRF) before calling any API', async () => {
    const browser = await logIn('alice');
    const forged = await browser.request(`${origin}/api/todos`, {
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body: JSON.stringify({ title: 'forged' }),
    });
    expect(forged.status).toBe(403);
    const todos = (await (await browser.request(`${origin}/api/todos`)).json()) as { id: string; title: string }[];
    expect(todos.map((t) => t.title)).not.toContain('forged');
  });

  it('refreshes once for concurrent requests after expiry, across instances', async () => {
    const browser = await logIn('alice');
    const before = bffs.reduce((sum, bff) => sum + bff.refreshes(), 0);
    now += 120_000; // the session's access token has expired, as far as the BFFs can tell
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => browser.request(at(i, '/api/todos'))));
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(bffs.reduce((sum, bff) => sum + bff.refreshes(), 0) - before).toBe(1);
    // the rotated refresh token still works: the grant was not revoked by a second refresh
    now += 120_000;
    expect((await browser.request(`${origin}/api/todos`)).status).toBe(200);
  });

  it('shares one session between two instances behind the same Redis', async () => {
    const browser = await logIn('bob');
    const viaSecond = await browser.request(at(1, '/session'));
    expect(viaSecond.status).toBe(200);
    expect(await viaSecond.json()).toMatchObject({ user: { sub: 'bob' } });
    expect((await browser.request(at(1, '/api/tickets'))).status).toBe(200);
    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys('bff:sess:*');
      expect(keys.length).toBeGreaterThan(0);
      // the tokens are in Redis, and never in anything the browser received
      const stored = JSON.parse((await redis.get(keys[0]!))!) as {
        tokens?: { accessToken: string; refreshToken: string };
      };
      for (const response of seen) {
        if (stored.tokens) {
          expect(response).not.toContain(stored.tokens.accessToken);
          expect(response).not.toContain(stored.tokens.refreshToken);
        }
      }
    } finally {
      redis.disconnect();
    }
  });

  it('logs out: the session is gone and the API routes answer 401', async () => {
    const browser = await logIn('alice');
    const out = await browser.request(`${origin}/logout`, { method: 'POST', headers: { origin } });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toContain('/session/end');
    // the provider's session ends for this user only: the id token names it (id_token_hint)
    expect(new URL(out.headers.get('location')!).searchParams.get('id_token_hint')).toMatch(JWT);
    // the provider's logout page submits itself (script); submit its form as the page would
    const page = await browser.follow(out.headers.get('location')!, `${origin}/`);
    const html = await page.response!.text();
    const fields = Object.fromEntries(
      [...html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const end = await browser.submit(formAction(html, page.url), fields, `${origin}/`);
    expect(end.url.href).toBe(`${origin}/`);
    expect((await browser.request(`${origin}/api/todos`)).status).toBe(401);
    expect((await browser.request(`${origin}/session`)).status).toBe(401);
  });

  it('never sent an access or refresh token to the browser in any response', () => {
    expect(seen.length).toBeGreaterThan(20);
    // the one exception: the id token as id_token_hint in the logout redirect (no API accepts it)
    for (const response of seen) expect(response.replace(/id_token_hint=[\w.-]+/g, '')).not.toMatch(JWT);
  });
});
