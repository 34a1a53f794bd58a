import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import type { Browser } from '../../../test/support/fetch-browser.js';
import { openRelay, type Relay } from '../../../test/support/loopback.js';
import { bffConfigFromEnv, type BffConfig } from '../src/bff-config.js';
import { startBff, type RunningBff } from '../src/bff.js';
import { logInThroughBff } from './support/log-in.js';

/**
 * Issue 13's attacks on the BFF page and its bodies, rerun: no framing, no sniffing, no inline
 * script; the Origin check and the session before any body is read; a small body limit, and a
 * deeply nested body that never reaches a recursive parser (40 000 levels gave 502 "Maximum call
 * stack size exceeded").
 */
describe('bff: headers and bodies', () => {
  let stack: DemoStack;
  let front: Relay;
  let origin: string;
  let bff: RunningBff;
  let alice: Browser;

  beforeAll(async () => {
    front = await openRelay('localhost');
    origin = front.url;
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
    alice = await logInThroughBff(origin, 'alice');
  });
  afterAll(async () => {
    await bff?.close();
    await front?.close();
    await stack?.close();
  });

  describe('security headers', () => {
    it.each<[string, string, RequestInit, number]>([
      ['the page', '/', {}, 200],
      ['its script', '/app.js', {}, 200],
      ['its style', '/app.css', {}, 200],
      ['liveness', '/health', {}, 200],
      ['readiness', '/health/ready', {}, 200],
      ['the login redirect', '/login', {}, 302],
      ['a logged-out /session', '/session', {}, 401],
      ['a logged-out API call', '/api/todos', {}, 401],
      ['a cross-origin POST', '/api/todos', { method: 'POST', headers: { origin: 'http://evil.localhost' } }, 403],
      ['an unknown route', '/nope', {}, 404],
    ])('are on %s (%s)', async (_name, path, init, status) => {
      const answer = await fetch(`${origin}${path}`, { ...init, redirect: 'manual' });
      expect(answer.status).toBe(status);
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain(`form-action 'self' ${stack.issuer}`);
      expect(csp).not.toContain('unsafe-inline');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('same-origin');
      expect(answer.headers.get('x-powered-by')).toBeNull();
    });

    it.each(['/session', '/api/todos', '/login'])('marks %s, an answer of the session, no-store', async (path) => {
      const answer = await alice.request(`${origin}${path}`);
      expect(answer.headers.get('cache-control')).toBe('no-store');
    });

    it('serves a page with no inline script or style, its script and style as files', async () => {
      const html = await (await fetch(`${origin}/`)).text();
      expect(html).toContain('<script src="/app.js" defer></script>');
      expect(html).not.toMatch(/<script>|<style|\son\w+=/);
      expect((await fetch(`${origin}/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
      expect((await fetch(`${origin}/app.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    });
  });

  describe('bodies', () => {
    const post = (browser: Browser | undefined, body: BodyInit, headers: Record<string, string> = { origin }) => {
      const init: RequestInit & { duplex?: 'half' } = {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      };
      return browser ? browser.request(`${origin}/api/todos`, init) : fetch(`${origin}/api/todos`, init);
    };
    const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

    it('refuses a cross-origin write 403 before reading its body (a malformed body is not a 400)', async () => {
      const answer = await post(alice, '{not json', { origin: 'http://evil.localhost' });
      expect(answer.status).toBe(403);
      expect(await answer.json()).toMatchObject({ error: 'csrf' });
    });

    it('refuses a write without Origin 403 before reading its body', async () => {
      expect((await post(alice, '{not json', {})).status).toBe(403);
    });

    it('answers an anonymous same-origin write 401 before reading its body', async () => {
      const answer = await post(undefined, '{not json');
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({ error: 'not_logged_in' });
    });

    it('answers 413 to a body over 16 KiB', async () => {
      const answer = await post(alice, JSON.stringify({ title: 'x'.repeat(17 * 1024) }));
      expect(answer.status).toBe(413);
      expect(await answer.json()).toMatchObject({ statusCode: 413, error: 'payload_too_large' });
    });

    it("answers the issue's 40 000-level body 413, never 5xx", async () => {
      expect((await post(alice, nested(40_000))).status).toBe(413);
    });

    it('answers 413 to the 40 000-level body sent chunked (no Content-Length)', async () => {
      const bytes = new TextEncoder().encode(nested(40_000));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
          controller.close();
        },
      });
      expect((await post(alice, stream)).status).toBe(413);
    });

    it('answers 400 to a deeply nested body within the size limit, before JSON.parse', async () => {
      const answer = await post(alice, nested(5_000));
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ message: 'body nested deeper than 32 levels' });
    });

    it('answers 400 to malformed JSON from the page, logged in', async () => {
      expect((await post(alice, '{"title":')).status).toBe(400);
    });

    it("still takes the page's own small body", async () => {
      const answer = await post(alice, JSON.stringify({ title: 'within the limits' }));
      expect(answer.status).toBe(201);
    });
  });
});
