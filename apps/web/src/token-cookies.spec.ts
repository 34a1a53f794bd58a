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

  it('sets __Host-app.rt HttpOnly, Secure, Strict, Path=/, host-only', () => {
    expect(tokenCookies(TOKENS)[1]).toEqual({
      name: '__Host-app.rt',
      value: 'rt',
      options: { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: 8 * 3600_000 },
    });
  });

  it('sets __Host-app.idt readable by the page (not HttpOnly), Secure, Lax, Path=/, host-only', () => {
    expect(tokenCookies(TOKENS)[2]).toEqual({
      name: '__Host-app.idt',
      value: 'idt',
      options: { httpOnly: false, secure: true, sameSite: 'lax', path: '/', maxAge: 8 * 3600_000 },
    });
  });

  it.each([
    [300, 290_000],
    [60, 54_000],
    [4, 4_000],
    [1, 1_000],
  ])('sets the readable __Host-app.fresh marker to end a little before a %i s token', (seconds, maxAge) => {
    expect(tokenCookies({ ...TOKENS, expiresInSeconds: seconds })[3]).toEqual({
      name: '__Host-app.fresh',
      value: '1',
      options: { httpOnly: false, secure: true, sameSite: 'lax', path: '/', maxAge },
    });
  });

  it('puts COOKIE_DOMAIN on the access token cookie only', () => {
    const cookies = tokenCookies(TOKENS, '.example.com');
    expect(cookies.map((c) => c.options.domain)).toEqual(['.example.com', undefined, undefined, undefined]);
  });

  it('obeys the __Host- prefix rules on every prefixed cookie: Secure, Path=/, no Domain', () => {
    const prefixed = tokenCookies(TOKENS, '.example.com').filter((c) => c.name.startsWith('__Host-'));
    expect(prefixed.map((c) => c.name)).toEqual(['__Host-app.rt', '__Host-app.idt', '__Host-app.fresh']);
    for (const options of [...prefixed.map((c) => c.options), loginCookieOptions(600)]) {
      expect(options).toMatchObject({ secure: true, path: '/' });
      expect(options).not.toHaveProperty('domain');
    }
  });

  it('uses 5 minutes when the response has no expires_in', () => {
    expect(tokenCookies({ accessToken: 'at' })[0]!.options.maxAge).toBe(300_000);
  });

  it('without a refresh token, sets no app.rt and lets app.idt end with the access token', () => {
    const cookies = tokenCookies({ accessToken: 'at', expiresInSeconds: 60, idToken: 'idt' });
    expect(cookies.map((c) => [c.name, c.options.maxAge])).toEqual([
      ['app.at', 60_000],
      ['__Host-app.idt', 60_000],
      ['__Host-app.fresh', 54_000],
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
  it('makes the login cookie HttpOnly, Secure, Lax, Path=/ (as __Host- requires), host-only', () => {
    expect(loginCookieOptions(600)).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: '/',
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
