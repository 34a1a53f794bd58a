import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TodoApiModule } from '../../todo-api/src/todo-api.module.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import type { Browser } from '../../../test/support/fetch-browser.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { Browser as FetchBrowser } from '../../../test/support/fetch-browser.js';
import { codeForCallback, logInThroughBff } from './support/log-in.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { damageAccessToken, storedSession } from './support/sessions.js';

const CLIENT = 'Basic ' + Buffer.from('bff:bff-secret').toString('base64');

/** The claims of a JWT, unchecked (the test reads what the provider issued). */
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };

/**
 * The BFF's tokens against the real apps: the dev authorization server, a todo-api whose clock
 * the spec sets, help-api, and sessions in a Redis of the spec's own (so it can read and change
 * what a session holds, as an attacker with a stolen or damaged token would).
 */
describe('bff: refresh on token_expired only, and logout that revokes', () => {
  let redis: TestRedis;
  let store: Redis;
  let stack: DemoStack;
  let todoApi: RunningApp;
  let front: Relay;
  let origin: string;
  let bff: RunningBff;
  let apiNow: (() => number) | undefined;
  /** How far the BFF's clock runs ahead of the real one, in ms. */
  let bffAhead = 0;
  let endpoints: { token_endpoint: string; introspection_endpoint: string };

  beforeAll(async () => {
    redis = await startTestRedis();
    store = new Redis(redis.url);
    front = await openRelay('localhost');
    origin = front.url;
    stack = await startDemoStack({ host: 'localhost', accessTokenTtlSeconds: 300, bffOrigin: origin });
    // todo-api as the demo runs it, on a clock the spec can move
    todoApi = await startSampleApp(
      (options) => TodoApiModule.forRoot(options),
      { port: 3001, audience: 'todo-api' },
      { OAUTH_ISSUER: stack.issuer },
      { clock: () => (apiNow ?? Date.now)() },
    );
    const config = bffConfigFromEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: stack.issuer,
      TODO_API_URL: todoApi.url,
      HELP_API_URL: stack.helpApi.url,
      REDIS_URL: redis.url,
      SESSION_SECRET: 'tokens-spec-secret',
      // plain bearer tokens: refresh and logout as with any provider that binds nothing (DPoP: bff-dpop)
      BFF_DPOP: 'false',
    }) as BffConfig;
    bff = await startBff(config, { logger: ['error'], clock: () => Date.now() + bffAhead });
    front.forwardTo(bff.url);
    endpoints = (await (await fetch(`${stack.issuer}/.well-known/openid-configuration`)).json()) as typeof endpoints;
  });
  afterAll(async () => {
    await bff?.close();
    await front?.close();
    await todoApi?.close();
    await stack?.close();
    store?.disconnect();
    await redis?.stop();
  });

  const sessionOf = (sub: string) => storedSession(store, sub);

  describe('an API answering 401', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await logInThroughBff(origin, 'alice');
    });
    afterAll(() => {
      apiNow = undefined;
    });

    it('with reason token_expired: the BFF refreshes once and retries, and the page gets 200', async () => {
      const before = (await sessionOf('alice')).data.tokens!;
      const { exp, iat } = claimsOf(before.accessToken);
      // a refreshed token must expire later than this one: let the provider's clock pass a second
      while (Date.now() / 1000 < iat + 1.05) await new Promise((resolve) => setTimeout(resolve, 50));
      apiNow = () => (exp + 30) * 1000; // the old token is past exp and the 30 s tolerance
      const refreshes = bff.refreshes();
      const answer = await browser.request(`${origin}/api/todos`);
      expect(answer.status).toBe(200);
      expect(bff.refreshes() - refreshes).toBe(1);
      const after = (await sessionOf('alice')).data.tokens!;
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshToken).not.toBe(before.refreshToken); // rotated
    });

    it('with any other reason: no refresh, the page gets 401 login_required with the reason, the tokens are dropped', async () => {
      apiNow = undefined;
      await damageAccessToken(store, 'alice');
      const refreshes = bff.refreshes();
      const answer = await browser.request(`${origin}/api/todos`);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toEqual({
        statusCode: 401,
        error: 'login_required',
        reason: 'signature_invalid',
        login: '/login',
      });
      expect(bff.refreshes()).toBe(refreshes);
      expect((await browser.request(`${origin}/session`)).status).toBe(401);
      expect((await browser.request(`${origin}/api/tickets`)).status).toBe(401);
    });
  });

  describe('logout', () => {
    const introspect = async (token: string) =>
      (await (
        await fetch(endpoints.introspection_endpoint, {
          method: 'POST',
          headers: { authorization: CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }),
        })
      ).json()) as { active: boolean };
    const refresh = (refreshToken: string) =>
      fetch(endpoints.token_endpoint, {
        method: 'POST',
        headers: { authorization: CLIENT, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });

    it('revokes the refresh token at the provider (RFC 7009): the old one no longer refreshes', async () => {
      const browser = await logInThroughBff(origin, 'bob');
      const { tokens } = (await sessionOf('bob')).data;
      expect(await introspect(tokens!.refreshToken!)).toMatchObject({ active: true });
      const out = await browser.request(`${origin}/logout`, { method: 'POST', headers: { origin } });
      expect(out.status).toBe(303);
      // the browser has not been to the provider yet: only the revocation can have ended the token
      expect(await introspect(tokens!.refreshToken!)).toEqual({ active: false });
      const reused = await refresh(tokens!.refreshToken!);
      expect(reused.status).toBe(400);
      expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    });

    it("ends the provider session with id_token_hint (the session's id token)", async () => {
      const browser = await logInThroughBff(origin, 'carol');
      const { tokens } = (await sessionOf('carol')).data;
      const out = await browser.request(`${origin}/logout`, { method: 'POST', headers: { origin } });
      const location = new URL(out.headers.get('location')!);
      expect(location.href.startsWith(`${stack.issuer}/session/end`)).toBe(true);
      expect(location.searchParams.get('id_token_hint')).toBe(tokens!.idToken);
      expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${origin}/`);
      const cleared = out.headers.getSetCookie().find((line) => line.startsWith('__Host-bff.sid='));
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
      expect(cleared).toMatch(/; Secure/); // without it the browser would keep the __Host- cookie
    });
  });

  describe('the pre-login state', () => {
    afterAll(() => {
      bffAhead = 0;
    });

    it('serves one callback attempt only: after a failed one, even the genuine code is 400', async () => {
      const browser = new FetchBrowser();
      const { callback } = await codeForCallback(origin, 'alice', browser);
      const wrong = new URL(callback);
      wrong.searchParams.set('code', 'not-the-code');
      expect((await browser.request(wrong)).status).toBe(400);
      const genuine = await browser.request(callback);
      expect(genuine.status).toBe(400);
      expect(await genuine.json()).toMatchObject({ message: 'no login in progress' });
      expect((await browser.request(`${origin}/session`)).status).toBe(401);
    });

    it('expires 10 minutes after /login: a later callback is 400 and logs no one in', async () => {
      const browser = new FetchBrowser();
      const { callback } = await codeForCallback(origin, 'carol', browser);
      bffAhead = 10 * 60_000 + 1_000;
      const late = await browser.request(callback);
      expect(late.status).toBe(400);
      expect(await late.json()).toMatchObject({ message: 'login expired: start again' });
      expect((await browser.request(`${origin}/session`)).status).toBe(401);
    });
  });
});
