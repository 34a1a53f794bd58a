import { describe, expect, it } from '@jest/globals';
import { loginCookieOptions, parseCookies, tokenCookies, tokenCookiesToClear } from './token-cookies.js';

const TOKENS = { accessToken: 'at', expiresInSeconds: 300, refreshToken: 'rt', idToken: 'idt' };

describe('tokenCookies', () => {
  it('sets app.at HttpOnly, Secure, Lax, Path=/, expiring with the token', () => {
    expect(tokenCookies(TOKENS)[0]).toEqual({
      name: 'app.at',
      value: 'at',
      options: { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 300_000 },
    });
  });

  it('sets app.rt HttpOnly, Secure, Strict, only for /refresh', () => {
    expect(tokenCookies(TOKENS)[1]).toEqual({
      name: 'app.rt',
      value: 'rt',
      options: { httpOnly: true, secure: true, sameSite: 'strict', path: '/refresh', maxAge: 8 * 3600_000 },
    });
  });

  it('sets app.idt readable by the page (not HttpOnly), Secure, Lax', () => {
    expect(tokenCookies(TOKENS)[2]).toEqual({
      name: 'app.idt',
      value: 'idt',
      options: { httpOnly: false, secure: true, sameSite: 'lax', path: '/', maxAge: 8 * 3600_000 },
    });
  });

  it('puts COOKIE_DOMAIN on the access token cookie only', () => {
    const cookies = tokenCookies(TOKENS, '.example.com');
    expect(cookies.map((c) => c.options.domain)).toEqual(['.example.com', undefined, undefined]);
  });

  it('uses 5 minutes when the response has no expires_in', () => {
    expect(tokenCookies({ accessToken: 'at' })[0]!.options.maxAge).toBe(300_000);
  });

  it('without a refresh token, sets no app.rt and lets app.idt end with the access token', () => {
    const cookies = tokenCookies({ accessToken: 'at', expiresInSeconds: 60, idToken: 'idt' });
    expect(cookies.map((c) => [c.name, c.options.maxAge])).toEqual([
      ['app.at', 60_000],
      ['app.idt', 60_000],
    ]);
  });
});

describe('tokenCookiesToClear', () => {
  it('names the same path and domain as when the cookies were set, without Max-Age', () => {
    const set = tokenCookies(TOKENS, '.example.com');
    const cleared = tokenCookiesToClear('.example.com');
    expect(cleared.map((c) => c.name)).toEqual(set.map((c) => c.name));
    for (const [index, cookie] of cleared.entries()) {
      const { maxAge: _ignored, ...options } = set[index]!.options;
      expect(cookie.options).toEqual(options);
    }
  });
});

describe('loginCookieOptions', () => {
  it('scopes the login cookie to /callback, HttpOnly, Secure, Lax', () => {
    expect(loginCookieOptions(600)).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/callback',
      maxAge: 600_000,
    });
  });
});

describe('parseCookies', () => {
  it('reads name=value pairs, URI-decoded', () => {
    expect([...parseCookies('app.at=a.b.c; app.idt=x%3Dy;  other = 1')]).toEqual([
      ['app.at', 'a.b.c'],
      ['app.idt', 'x=y'],
      ['other', '1'],
    ]);
  });

  it('keeps the first of repeated names', () => {
    expect(parseCookies('app.rt=first; app.rt=second').get('app.rt')).toBe('first');
  });

  it.each([undefined, '', 'novalue', '=x'])('finds no cookies in %j', (header) => {
    expect(parseCookies(header).size).toBe(0);
  });

  it('keeps a value that is not valid URI encoding as it is', () => {
    expect(parseCookies('a=%E0%A4%A').get('a')).toBe('%E0%A4%A');
  });
});
