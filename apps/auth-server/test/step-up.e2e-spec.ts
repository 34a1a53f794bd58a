import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import * as client from 'openid-client';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { Browser, formAction } from '../../../test/support/fetch-browser.js';
import { ACR_PASSWORD } from '../src/step-up.js';
import { logIn, startLogin, WEB_REDIRECT_URI, webClient } from './support/login-flow.js';
import { fakeDateOnly } from '../../../test/support/fake-date.js';

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The dev one-time code the code page prints. */
const devCode = (html: string) => /id="dev-code">(\d{6})</.exec(html)?.[1];
/** A six-digit code other than `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/**
 * Step-up (RFC 9470) at the dev authorization server, with the real todo-api: `acr_values=mfa`
 * asks for the dev one-time code after the password, and only that login gives tokens with
 * `acr: "mfa"`, which todo-api's `DELETE /todos` requires.
 */
describe('auth-server step-up: acr_values=mfa, the dev one-time code and max_age', () => {
  let stack: DemoStack | undefined;
  let config: client.Configuration;

  beforeAll(async () => {
    stack = await startDemoStack({ host: '127.0.0.1', accessTokenTtlSeconds: 300 });
    config = await webClient(stack.issuer);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Starts an authorization request in `browser` and returns the page it lands on (the login form). */
  async function authorize(browser: Browser, extra: Record<string, string>) {
    const { url, checks } = await startLogin(config, extra);
    const page = await browser.follow(url, WEB_REDIRECT_URI);
    return { page, checks, html: page.response ? await page.response.text() : '' };
  }

  /** Submits a form of `html` (found at `pageUrl`); the next page, or the callback URL. */
  async function submit(browser: Browser, html: string, pageUrl: URL, fields: Record<string, string>) {
    const next = await browser.submit(formAction(html, pageUrl), fields, WEB_REDIRECT_URI);
    return { url: next.url, status: next.response?.status, html: next.response ? await next.response.text() : '' };
  }

  /** A complete login with `acr_values=mfa` (and `extra`): password, then the printed code. */
  async function logInWithMfa(browser: Browser, username: string, extra: Record<string, string> = {}) {
    const { page, checks, html } = await authorize(browser, { acr_values: 'mfa', ...extra });
    const codePage = await submit(browser, html, page.url, { username, password: username });
    const code = devCode(codePage.html);
    expect(code).toBeDefined();
    const callback = await submit(browser, codePage.html, codePage.url, { code: code! });
    expect(callback.url.href.startsWith(WEB_REDIRECT_URI)).toBe(true);
    return client.authorizationCodeGrant(config, callback.url, { ...checks, idTokenExpected: true });
  }

  const createTodo = async (token: string, title: string) => {
    const response = await fetch(`${stack!.todoApi.url}/todos`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(response.status).toBe(201);
  };
  const todosOf = async (token: string) =>
    ((await (await fetch(`${stack!.todoApi.url}/todos`, { headers: bearer(token) })).json()) as unknown[]).length;
  const deleteAll = (token: string) =>
    fetch(`${stack!.todoApi.url}/todos`, { method: 'DELETE', headers: bearer(token) });

  it('announces the acr values it can satisfy', () => {
    expect(config.serverMetadata().acr_values_supported).toEqual([ACR_PASSWORD, 'mfa']);
  });

  it('gives a password login acr password, amr pwd and auth_time, which DELETE /todos refuses: 401 insufficient_user_authentication', async () => {
    const before = nowSeconds();
    const { tokens } = await logIn(config, 'carol');
    const claims = decode(tokens.access_token);
    expect(claims).toMatchObject({ sub: 'carol', acr: ACR_PASSWORD, amr: ['pwd'] });
    expect(claims.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(claims.auth_time).toBeLessThanOrEqual(nowSeconds());

    await createTodo(tokens.access_token, 'keep me');
    const response = await deleteAll(tokens.access_token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="todo-api", error="insufficient_user_authentication", ' +
        'error_description="a stronger authentication is required", acr_values="mfa", ' +
        // the demo's APIs run with OAUTH_DPOP=allowed: a 401 carries both challenges
        'DPoP realm="todo-api", algs="ES256 RS256 PS256"',
    );
    expect(await response.json()).toMatchObject({ reason: 'authentication_insufficient' });
    expect(await todosOf(tokens.access_token)).toBe(1);
  });

  it('asks for the one-time code after the password when acr_values=mfa; the code gives acr mfa, and DELETE /todos answers 204', async () => {
    const before = nowSeconds();
    const tokens = await logInWithMfa(new Browser(), 'bob');
    const claims = decode(tokens.access_token);
    expect(claims).toMatchObject({ sub: 'bob', acr: 'mfa', amr: ['pwd', 'otp', 'mfa'] });
    expect(claims.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(tokens.claims()).toMatchObject({ sub: 'bob', acr: 'mfa' }); // the ID token too

    await createTodo(tokens.access_token, 'delete me');
    expect(await todosOf(tokens.access_token)).toBe(1);
    expect((await deleteAll(tokens.access_token)).status).toBe(204);
    expect(await todosOf(tokens.access_token)).toBe(0);
  });

  it('refuses a wrong one-time code with the form again, and ends the request with access_denied at the third', async () => {
    const browser = new Browser();
    const { page, html } = await authorize(browser, { acr_values: 'mfa' });
    const codePage = await submit(browser, html, page.url, { username: 'alice', password: 'alice' });
    const code = devCode(codePage.html)!;
    expect(codePage.html).toMatch(/<input[^>]*name="code"/);

    let current = codePage;
    for (let attempt = 1; attempt < 3; attempt++) {
      current = await submit(browser, current.html, current.url, { code: otherThan(code) });
      expect(current.status).toBe(200);
      expect(current.html).toContain('Invalid one-time code');
      expect(devCode(current.html)).toBe(code); // the same sign-in, the same code
    }
    const last = await submit(browser, current.html, current.url, { code: otherThan(code) });
    expect(last.url.href.startsWith(WEB_REDIRECT_URI)).toBe(true);
    expect(last.url.searchParams.get('error')).toBe('access_denied');
    expect(last.url.searchParams.get('code')).toBeNull(); // no code, so no token at all
  });

  it('keeps counting wrong codes when the password is sent again', async () => {
    const browser = new Browser();
    const { page, html } = await authorize(browser, { acr_values: 'mfa' });
    let current = await submit(browser, html, page.url, { username: 'bob', password: 'bob' });
    const wrong = otherThan(devCode(current.html)!);
    for (let attempt = 1; attempt < 3; attempt++)
      current = await submit(browser, current.html, current.url, { code: wrong });
    expect(current.html).toContain('Invalid one-time code');
    const passwordAgain = new URL(formAction(current.html, current.url).href.replace(/\/otp$/, '/login'));
    const codePage = await browser.submit(passwordAgain, { username: 'bob', password: 'bob' }, WEB_REDIRECT_URI);
    const codeHtml = await codePage.response!.text();
    expect(devCode(codeHtml)).toEqual(expect.any(String));
    const last = await submit(browser, codeHtml, codePage.url, { code: wrong });
    expect(last.url.searchParams.get('error')).toBe('access_denied');
  });

  it('does not take a code from another sign-in', async () => {
    const first = new Browser();
    const one = await authorize(first, { acr_values: 'mfa' });
    const oneCode = devCode((await submit(first, one.html, one.page.url, { username: 'bob', password: 'bob' })).html)!;
    const second = new Browser();
    const two = await authorize(second, { acr_values: 'mfa' });
    const twoPage = await submit(second, two.html, two.page.url, { username: 'bob', password: 'bob' });
    expect(devCode(twoPage.html)).not.toBe(oneCode);
    const attempt = await submit(second, twoPage.html, twoPage.url, { code: oneCode });
    expect(attempt.status).toBe(200);
    expect(attempt.html).toContain('Invalid one-time code');
  });

  it('steps up a password session: acr_values=mfa shows the login again, and a silent request gets no mfa', async () => {
    const { browser, tokens } = await logIn(config, 'carol');
    expect(decode(tokens.access_token).acr).toBe(ACR_PASSWORD);
    // the session alone is enough without acr_values: a code at once, still acr password
    const silent = await authorize(browser, {});
    expect(silent.page.url.href.startsWith(WEB_REDIRECT_URI)).toBe(true);
    const silentTokens = await client.authorizationCodeGrant(config, silent.page.url, {
      ...silent.checks,
      idTokenExpected: true,
    });
    expect(decode(silentTokens.access_token).acr).toBe(ACR_PASSWORD);
    // prompt=none cannot step up: login_required, not a token of the wrong level
    const none = await authorize(browser, { acr_values: 'mfa', prompt: 'none' });
    expect(none.page.url.searchParams.get('error')).toBe('login_required');

    const stepped = await logInWithMfa(browser, 'carol');
    expect(decode(stepped.access_token)).toMatchObject({ sub: 'carol', acr: 'mfa' });
  });

  it('keeps acr, amr and auth_time of the login through a refresh (a refresh is no new login)', async () => {
    const tokens = await logInWithMfa(new Browser(), 'alice');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    const [original, renewed] = [decode(tokens.access_token), decode(refreshed.access_token)];
    expect(renewed).toMatchObject({ acr: 'mfa', amr: ['pwd', 'otp', 'mfa'], auth_time: original.auth_time });
    expect(renewed.jti).not.toBe(original.jti);
  });

  describe('max_age (time set, not waited for)', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('issues a code without a login while the session is younger than max_age, and asks for password and code once it is older', async () => {
      const browser = new Browser();
      const first = await logInWithMfa(browser, 'bob');
      const young = await authorize(browser, { acr_values: 'mfa', max_age: '300' });
      expect(young.page.url.href.startsWith(WEB_REDIRECT_URI)).toBe(true);
      expect(young.page.url.searchParams.get('code')).toEqual(expect.any(String));

      // only Date moves: sockets and timers keep running
      fakeDateOnly(Date.now() + 400_000);
      // the session had mfa: renewing it asks for the code again, even without acr_values
      const old = await authorize(browser, { max_age: '300' });
      expect(old.html).toMatch(/<input[^>]*name="password"/);
      const codePage = await submit(browser, old.html, old.page.url, { username: 'bob', password: 'bob' });
      expect(devCode(codePage.html)).toMatch(/^\d{6}$/);
      const callback = await submit(browser, codePage.html, codePage.url, { code: devCode(codePage.html)! });
      const renewed = await client.authorizationCodeGrant(config, callback.url, {
        ...old.checks,
        idTokenExpected: true,
      });
      const claims = decode(renewed.access_token);
      expect(claims.acr).toBe('mfa');
      expect(Number(claims.auth_time)).toBeGreaterThanOrEqual(Number(decode(first.access_token).auth_time) + 400);
    });
  });
});
