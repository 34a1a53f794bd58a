import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '../errors/bearer-token.errors.js';
import { HeaderOrCookieTokenResolver } from './header-or-cookie-token-resolver.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const OTHER = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2In0.c2ln';

/** A request as Node parses it: `headers` keeps the first Authorization, `rawHeaders` every line. */
function request(rawHeaders: readonly string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') headers.cookie = headers.cookie === undefined ? value : `${headers.cookie}; ${value}`;
    else headers[name] ??= value;
  }
  return { rawHeaders: [...rawHeaders], headers } as unknown as IncomingMessage;
}

const withAuthorization = (...values: string[]) => request(values.flatMap((value) => ['Authorization', value]));
const withCookie = (cookie: string) => request(['Cookie', cookie]);

function invalidRequest(resolve: () => unknown): InvalidRequestError {
  let caught: unknown;
  try {
    resolve();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidRequestError);
  const error = caught as InvalidRequestError;
  expect(error.status).toBe(400);
  expect(error.code).toBe('invalid_request');
  return error;
}

describe('HeaderOrCookieTokenResolver', () => {
  const resolver = new HeaderOrCookieTokenResolver('app.at');

  describe('resolve', () => {
    describe('from the Authorization header', () => {
      it.each([
        ['Bearer', `Bearer ${TOKEN}`],
        ['bearer', `bearer ${TOKEN}`],
        ['BEARER', `BEARER ${TOKEN}`],
        ['BeArEr', `BeArEr ${TOKEN}`],
      ])('returns the token when the scheme is written %s', (_case, value) => {
        expect(resolver.resolve(withAuthorization(value))).toEqual({ token: TOKEN, source: 'header' });
      });

      it.each([
        ['several spaces after the scheme', `Bearer    ${TOKEN}`],
        ['a tab after the scheme', `Bearer\t${TOKEN}`],
        ['spaces around the value', `   Bearer ${TOKEN}   `],
      ])('returns the token when the header has %s', (_case, value) => {
        expect(resolver.resolve(withAuthorization(value))).toEqual({ token: TOKEN, source: 'header' });
      });

      it('finds the header whatever the case of its name', () => {
        expect(resolver.resolve(request(['AUTHORIZATION', `Bearer ${TOKEN}`]))).toEqual({
          token: TOKEN,
          source: 'header',
        });
      });

      it.each([
        ['one', 'abc='],
        ['two', 'abc=='],
        ['several', 'abc===='],
      ])('accepts %s trailing = of padding', (_case, token) => {
        expect(resolver.resolve(withAuthorization(`Bearer ${token}`))).toEqual({ token, source: 'header' });
      });

      it('accepts every b64token character', () => {
        const token = 'AZaz09-._~+/';
        expect(resolver.resolve(withAuthorization(`Bearer ${token}`))).toEqual({ token, source: 'header' });
      });

      it.each([
        ['Bearer with no token', 'Bearer'],
        ['Bearer and a space', 'Bearer '],
        ['Bearer and spaces', 'Bearer    '],
      ])('throws invalid_request for %s', (_case, value) => {
        const error = invalidRequest(() => resolver.resolve(withAuthorization(value)));
        expect(error.reason).toBe('bad_header');
      });

      it.each([
        ['a space', 'abc def'],
        ['a comma', 'abc,def'],
        ['a double quote', 'abc"def'],
        ['a quoted token', '"abc"'],
        ['a tab inside', 'abc\tdef'],
        ['a non-ASCII letter', 'abcédef'],
        ['an emoji', 'abc\u{1F600}'],
        ['a = before the end', 'ab=cd'],
        ['only padding', '=='],
        ['a semicolon', 'abc;def'],
      ])('throws invalid_request when the token has %s', (_case, token) => {
        const error = invalidRequest(() => resolver.resolve(withAuthorization(`Bearer ${token}`)));
        expect(error.reason).toBe('bad_header');
      });

      it.each([
        ['Basic', 'Basic dXNlcjpwYXNz'],
        ['Bearerx', `Bearerx ${TOKEN}`],
        ['Bearer glued to the token', `Bearer${TOKEN}`],
        ['Token', `Token ${TOKEN}`],
        ['Digest', 'Digest username="u"'],
        ['an empty header', ''],
      ])('returns undefined for the %s scheme', (_case, value) => {
        expect(resolver.resolve(withAuthorization(value))).toBeUndefined();
      });

      it('returns undefined when the request has no Authorization header and no cookie', () => {
        expect(resolver.resolve(request(['Host', 'api.example', 'Accept', '*/*']))).toBeUndefined();
      });

      it('returns the token when the same Authorization header is repeated', () => {
        expect(resolver.resolve(withAuthorization(`Bearer ${TOKEN}`, `Bearer ${TOKEN}`))).toEqual({
          token: TOKEN,
          source: 'header',
        });
      });

      it('throws invalid_request when repeated Authorization headers differ', () => {
        const error = invalidRequest(() => resolver.resolve(withAuthorization(`Bearer ${TOKEN}`, `Bearer ${OTHER}`)));
        expect(error.reason).toBe('two_tokens');
      });

      it('throws invalid_request when a second Authorization header differs only in name case', () => {
        const req = request(['Authorization', `Bearer ${TOKEN}`, 'authorization', `Bearer ${OTHER}`]);
        expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
        invalidRequest(() => resolver.resolve(req));
      });

      it('throws invalid_request when a Bearer header is repeated with another scheme', () => {
        invalidRequest(() => resolver.resolve(withAuthorization(`Bearer ${TOKEN}`, 'Basic dXNlcjpwYXNz')));
      });

      it('ignores a header whose name merely contains authorization', () => {
        const req = request(['Proxy-Authorization', `Bearer ${OTHER}`, 'Authorization', `Bearer ${TOKEN}`]);
        expect(resolver.resolve(req)).toEqual({ token: TOKEN, source: 'header' });
      });
    });

    describe('from the cookie', () => {
      it('returns the cookie token with source cookie when there is no header', () => {
        expect(resolver.resolve(withCookie(`app.at=${TOKEN}`))).toEqual({ token: TOKEN, source: 'cookie' });
      });

      it('returns the token among other cookies', () => {
        const cookie = `theme=dark; app.rt=refresh-token; app.at=${TOKEN}; app.att=x; xapp.at=${OTHER}`;
        expect(resolver.resolve(withCookie(cookie))).toEqual({ token: TOKEN, source: 'cookie' });
      });

      it.each([
        ['the refresh token cookie app.rt', `app.rt=${TOKEN}`],
        ['app.att', `app.att=${TOKEN}`],
        ['xapp.at', `xapp.at=${TOKEN}`],
        ['a cookie whose value names app.at', `other=app.at`],
        ['all of them at once', `app.rt=${TOKEN}; app.att=${OTHER}; xapp.at=${OTHER}`],
      ])('returns undefined for %s', (_case, cookie) => {
        expect(resolver.resolve(withCookie(cookie))).toBeUndefined();
      });

      it('ignores other cookies that differ from the header token', () => {
        const req = request(['Authorization', `Bearer ${TOKEN}`, 'Cookie', `app.rt=${OTHER}; xapp.at=${OTHER}`]);
        expect(resolver.resolve(req)).toEqual({ token: TOKEN, source: 'header' });
      });

      it('returns the token when the same cookie is repeated', () => {
        expect(resolver.resolve(withCookie(`app.at=${TOKEN}; app.at=${TOKEN}`))).toEqual({
          token: TOKEN,
          source: 'cookie',
        });
      });

      it('returns the token when the same cookie comes in two Cookie headers', () => {
        const req = request(['Cookie', `app.at=${TOKEN}`, 'Cookie', `app.at=${TOKEN}`]);
        expect(resolver.resolve(req)).toEqual({ token: TOKEN, source: 'cookie' });
      });

      it('throws invalid_request when repeated token cookies differ', () => {
        const error = invalidRequest(() => resolver.resolve(withCookie(`app.at=${TOKEN}; app.at=${OTHER}`)));
        expect(error.reason).toBe('two_tokens');
      });

      it('returns the unquoted value of a quoted cookie', () => {
        expect(resolver.resolve(withCookie(`app.at="${TOKEN}"`))).toEqual({ token: TOKEN, source: 'cookie' });
      });

      it('returns the decoded value of a percent-encoded cookie', () => {
        expect(resolver.resolve(withCookie('app.at=abc%2Bdef%2F%3D'))).toEqual({
          token: 'abc+def/=',
          source: 'cookie',
        });
      });

      it('keeps a value with a stray % as it is', () => {
        expect(resolver.resolve(withCookie('app.at=abc%zz'))).toEqual({ token: 'abc%zz', source: 'cookie' });
      });

      it.each([
        ['an empty value', 'app.at='],
        ['an empty quoted value', 'app.at=""'],
        ['a blank value', 'app.at= ; theme=dark'],
        ['an empty Cookie header', ''],
      ])('returns undefined for %s', (_case, cookie) => {
        expect(resolver.resolve(withCookie(cookie))).toBeUndefined();
      });

      it('returns the token when a cleared cookie sits beside the token cookie', () => {
        expect(resolver.resolve(withCookie(`app.at=; app.at=${TOKEN}`))).toEqual({ token: TOKEN, source: 'cookie' });
      });
    });

    describe('from both', () => {
      it('returns the header token when the cookie carries the same token', () => {
        const req = request(['Authorization', `Bearer ${TOKEN}`, 'Cookie', `app.at=${TOKEN}`]);
        expect(resolver.resolve(req)).toEqual({ token: TOKEN, source: 'header' });
      });

      it('throws invalid_request when header and cookie differ', () => {
        const req = request(['Authorization', `Bearer ${TOKEN}`, 'Cookie', `app.at=${OTHER}`]);
        const error = invalidRequest(() => resolver.resolve(req));
        expect(error.reason).toBe('two_tokens');
      });

      it('returns the cookie token when the header uses another scheme', () => {
        const req = request(['Authorization', 'Basic dXNlcjpwYXNz', 'Cookie', `app.at=${TOKEN}`]);
        expect(resolver.resolve(req)).toEqual({ token: TOKEN, source: 'cookie' });
      });

      it('throws invalid_request for an empty Bearer header even with a cookie token', () => {
        const req = request(['Authorization', 'Bearer', 'Cookie', `app.at=${TOKEN}`]);
        invalidRequest(() => resolver.resolve(req));
      });
    });

    describe('without a cookie name', () => {
      const headerOnly = new HeaderOrCookieTokenResolver(undefined);

      it('returns undefined when only a cookie carries a token', () => {
        expect(headerOnly.resolve(withCookie(`app.at=${TOKEN}`))).toBeUndefined();
      });

      it('returns the header token even when a cookie differs', () => {
        const req = request(['Authorization', `Bearer ${TOKEN}`, 'Cookie', `app.at=${OTHER}`]);
        expect(headerOnly.resolve(req)).toEqual({ token: TOKEN, source: 'header' });
      });

      it('ignores repeated differing cookies', () => {
        expect(headerOnly.resolve(withCookie(`app.at=${TOKEN}; app.at=${OTHER}`))).toBeUndefined();
      });
    });

    describe('with another cookie name', () => {
      const custom = new HeaderOrCookieTokenResolver('__Host-access');

      it('reads the named cookie and ignores app.at', () => {
        expect(custom.resolve(withCookie(`app.at=${OTHER}; __Host-access=${TOKEN}`))).toEqual({
          token: TOKEN,
          source: 'cookie',
        });
      });
    });
  });
});
