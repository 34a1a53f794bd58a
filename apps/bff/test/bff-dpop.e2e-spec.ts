import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TodoApiModule } from '../../todo-api/src/todo-api.module.js';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import type { Browser } from '../../../test/support/fetch-browser.js';
import { openRelay, REFUSED_PORT, type Relay } from '../../../test/support/loopback.js';
import { startTestRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { testDpopKey } from './support/dpop-key.js';
import { logInThroughBff } from './support/log-in.js';
import { startRecordingProxy, type RecordedExchange, type RecordingProxy } from './support/recording-proxy.js';
import { storedSession } from './support/sessions.js';

/** A JWS segment's JSON, unchecked (the spec reads what the provider and the BFF produced). */
const segment = (jws: string, index: 0 | 1) =>
  JSON.parse(Buffer.from(jws.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;
const claimsOf = (jwt: string) => segment(jwt, 1) as { exp: number; iat: number; cnf?: { jkt?: string } };
/** What a proof says, and the thumbprint of the key in its header. */
function proofOf(exchange: RecordedExchange) {
  const proof = exchange.headers.dpop as string;
  const { jwk } = segment(proof, 0) as { jwk: { crv: string; kty: string; x: string; y: string } };
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return {
    ...(segment(proof, 1) as { htm: string; htu: string; ath: string; jti: string; nonce?: string }),
    jkt: createHash('sha256').update(canonical).digest('base64url'),
  };
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * The BFF's DPoP-bound tokens (RFC 9449) against the real apps: the dev authorization server
 * binds them to the BFF's key, todo-api (JWT, with server nonces, on a clock the spec sets)
 * sits behind a hop that records what the BFF sends, help-api (introspection) is the demo's,
 * both with `OAUTH_DPOP=allowed`; sessions in a Redis of the spec's own, so the spec reads the
 * token a session holds, as an attacker who copied the session store would.
 */
describe('bff: DPoP-bound tokens', () => {
  const key = testDpopKey();
  let redis: TestRedis;
  let store: Redis;
  let stack: DemoStack;
  let todoApi: RunningApp;
  let recorder: RecordingProxy;
  let front: Relay;
  let origin: string;
  let env: Record<string, string>;
  let config: BffConfig;
  let bff: RunningBff;
  let browser: Browser;
  let apiNow: (() => number) | undefined;

  beforeAll(async () => {
    redis = await startTestRedis();
    store = new Redis(redis.url);
    front = await openRelay('localhost');
    origin = front.url;
    stack = await startDemoStack({ host: 'localhost', accessTokenTtlSeconds: 60, bffOrigin: origin });
    todoApi = await startSampleApp(
      (options) => TodoApiModule.forRoot(options),
      { port: 3001, audience: 'todo-api' },
      { OAUTH_ISSUER: stack.issuer, OAUTH_DPOP: 'allowed', OAUTH_DPOP_NONCE: 'true' },
      { clock: () => (apiNow ?? Date.now)() },
    );
    recorder = await startRecordingProxy(todoApi.url);
    env = {
      PORT: '0',
      HOST: '127.0.0.1',
      BFF_ORIGIN: origin,
      OAUTH_ISSUER: stack.issuer,
      TODO_API_URL: recorder.url,
      HELP_API_URL: stack.helpApi.url,
      REDIS_URL: redis.url,
      SESSION_SECRET: 'dpop-spec-secret',
      BFF_DPOP_KEY: key.env,
    };
    config = bffConfigFromEnv(env) as BffConfig;
    bff = await startBff(config, { logger: ['error'] });
    front.forwardTo(bff.url);
    browser = await logInThroughBff(origin, 'alice');
  });
  afterAll(async () => {
    await bff?.close();
    await front?.close();
    await recorder?.close();
    await todoApi?.close();
    await stack?.close();
    store?.disconnect();
    await redis?.stop();
  });

  const tokensOf = async (sub: string) => (await storedSession(store, sub)).data.tokens!;

  it("gets an access token bound to the BFF's key: cnf.jkt is the key's thumbprint", async () => {
    const tokens = await tokensOf('alice');
    expect(claimsOf(tokens.accessToken).cnf).toEqual({ jkt: key.jkt });
    expect(tokens.dpopJkt).toBe(key.jkt);
  });

  it('calls todo-api with a fresh proof per request, retrying once with the nonce todo-api asks for, then keeping it', async () => {
    const { accessToken } = await tokensOf('alice');
    recorder.exchanges.length = 0;
    expect((await browser.request(`${origin}/api/todos`)).status).toBe(200);
    const [first, second, ...rest] = recorder.exchanges;
    expect(rest).toEqual([]);
    expect([first!.status, second!.status]).toEqual([401, 200]);
    for (const exchange of [first!, second!]) {
      expect(exchange.headers.authorization).toBe(`DPoP ${accessToken}`);
      expect(proofOf(exchange)).toMatchObject({
        htm: 'GET',
        htu: `${recorder.url}/todos`,
        ath: sha256(accessToken),
        jkt: key.jkt,
      });
    }
    expect(proofOf(first!).nonce).toBeUndefined();
    expect(first!.responseHeaders['www-authenticate']).toContain('error="use_dpop_nonce"');
    expect(proofOf(second!).nonce).toBe(first!.responseHeaders['dpop-nonce']);
    expect(proofOf(second!).jti).not.toBe(proofOf(first!).jti);

    // the nonce is remembered for todo-api's origin: the next call needs no retry
    const created = await browser.request(`${origin}/api/todos`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'bound' }),
    });
    expect(created.status).toBe(201);
    const [post, ...more] = recorder.exchanges.slice(2);
    expect(more).toEqual([]);
    expect(proofOf(post!)).toMatchObject({ htm: 'POST', htu: `${recorder.url}/todos`, nonce: expect.any(String) });
  });

  it('calls help-api (introspection) with its proof too', async () => {
    const answer = await browser.request(`${origin}/api/tickets`);
    expect(answer.status).toBe(200);
    expect(Array.isArray(await answer.json())).toBe(true);
  });

  it.each([
    ['todo-api', () => `${todoApi.url}/todos`],
    ['help-api', () => `${stack.helpApi.url}/tickets`],
  ])("refuses the session's token presented as plain Bearer at %s: 401 token_bound", async (_api, url) => {
    const { accessToken } = await tokensOf('alice');
    const answer = await fetch(url(), { headers: { authorization: `Bearer ${accessToken}` } });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_token', reason: 'token_bound' });
  });

  it('refuses a proof the BFF sent, sent again with its token: 401 dpop_proof_invalid', async () => {
    recorder.exchanges.length = 0;
    expect((await browser.request(`${origin}/api/todos`)).status).toBe(200);
    const sent = recorder.exchanges.at(-1)!;
    expect(sent.status).toBe(200);
    // through the same hop, so the URL, the nonce and the token are all still right: only the jti is spent
    const replayed = await fetch(`${recorder.url}/todos`, {
      headers: { authorization: sent.headers.authorization!, dpop: sent.headers.dpop as string },
    });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ reason: 'dpop_proof_invalid' });
  });

  it('refreshes on token_expired with a proof: the new token is bound to the same key', async () => {
    const before = await tokensOf('alice');
    const { exp, iat } = claimsOf(before.accessToken);
    // the refreshed token must expire later than this one: let the provider's clock pass a second
    while (Date.now() / 1000 < iat + 1.05) await new Promise((resolve) => setTimeout(resolve, 50));
    // past exp and the 30 s tolerance; the refreshed token (exp at least one second later) is not
    apiNow = () => (exp + 30.5) * 1000;
    try {
      const refreshes = bff.refreshes();
      const answer = await browser.request(`${origin}/api/todos`);
      // the body names the reason when it is not 200
      expect([answer.status, answer.status === 200 ? null : await answer.json()]).toEqual([200, null]);
      expect(bff.refreshes() - refreshes).toBe(1);
    } finally {
      apiNow = undefined;
    }
    const after = await tokensOf('alice');
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(claimsOf(after.accessToken).cnf).toEqual({ jkt: key.jkt });
    expect(after.dpopJkt).toBe(key.jkt);
    expect(recorder.exchanges.at(-1)!.headers.authorization).toBe(`DPoP ${after.accessToken}`);
  });

  describe('replicas sharing the session store', () => {
    let others: RunningBff[] = [];
    afterAll(async () => {
      await Promise.all(others.map((other) => other.close()));
      others = [];
    });

    it('a replica with the same BFF_DPOP_KEY uses the session token as it is', async () => {
      const replica = await startBff(config, { logger: ['error'] });
      others.push(replica);
      const before = await tokensOf('alice');
      // the browser's cookie jar sends the session cookie to the replica's own address too
      expect((await browser.request(`${replica.url}/api/todos`)).status).toBe(200);
      expect(replica.refreshes()).toBe(0);
      expect((await tokensOf('alice')).accessToken).toBe(before.accessToken);
    });

    it('a replica that cannot reach the authorization server still calls the APIs: signing a proof needs no discovery', async () => {
      const replica = await startBff(
        bffConfigFromEnv({ ...env, OAUTH_ISSUER: `http://127.0.0.1:${REFUSED_PORT}` }) as BffConfig,
        { logger: false },
      );
      others.push(replica);
      const answer = await browser.request(`${replica.url}/api/todos`);
      expect([answer.status, replica.refreshes()]).toEqual([200, 0]);
      expect(recorder.exchanges.at(-1)!.headers.authorization).toMatch(/^DPoP /);
    });

    it('a replica with another key (BFF_DPOP_KEY rotated) refreshes first, binding the token to its key', async () => {
      const rotated = testDpopKey();
      const replica = await startBff(bffConfigFromEnv({ ...env, BFF_DPOP_KEY: rotated.env }) as BffConfig, {
        logger: ['error'],
      });
      others.push(replica);
      expect((await browser.request(`${replica.url}/api/todos`)).status).toBe(200);
      expect(replica.refreshes()).toBe(1);
      const after = await tokensOf('alice');
      expect(claimsOf(after.accessToken).cnf).toEqual({ jkt: rotated.jkt });
      expect(after.dpopJkt).toBe(rotated.jkt);
    });
  });
});
