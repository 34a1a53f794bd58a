import type { CookieOptions } from 'express';

/** The access token: sent by the browser to the APIs (same site), never readable by the page. */
export const ACCESS_TOKEN_COOKIE = 'app.at';
/** The refresh token: sent only to `POST /refresh` on this host. */
export const REFRESH_TOKEN_COOKIE = 'app.rt';
/** The id token: readable by the page, for display only. */
export const ID_TOKEN_COOKIE = 'app.idt';
/** PKCE verifier, state and nonce of a login in progress, sealed (see `CookieSealer`). */
export const LOGIN_COOKIE = 'app.login';

/** The only route that reads the refresh token; its cookie's `Path`. */
export const REFRESH_PATH = '/refresh';
/** The only route that reads the login cookie; its cookie's `Path`. */
export const CALLBACK_PATH = '/callback';
/** How long the refresh and id token cookies live (8 hours). The provider may end the grant sooner. */
export const SESSION_MAX_AGE_SECONDS = 8 * 3600;
/** How long a login may take, from `/login` to `/callback` (10 minutes). */
export const LOGIN_MAX_AGE_SECONDS = 600;
/** Used when the token response has no `expires_in` (5 minutes). */
export const DEFAULT_ACCESS_TOKEN_SECONDS = 300;

/** What a token endpoint answered, as far as the cookies are concerned. */
export interface TokenCookieValues {
  readonly accessToken: string;
  readonly expiresInSeconds?: number;
  readonly refreshToken?: string;
  readonly idToken?: string;
}

/** One `Set-Cookie`, in the shape of Express's `response.cookie(name, value, options)`. */
export interface CookieToSet {
  readonly name: string;
  readonly value: string;
  readonly options: CookieOptions;
}

/**
 * The three token cookies. The access token's cookie expires with the token, so an expired
 * token is simply not sent: the API answers 401 and the page refreshes, whatever the API's
 * clock tolerance. `cookieDomain` widens only the access token's cookie, the one the APIs read.
 */
export function tokenCookies(tokens: TokenCookieValues, cookieDomain?: string): CookieToSet[] {
  const accessSeconds = Math.max(1, Math.floor(tokens.expiresInSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS));
  // without a refresh token the login lasts as long as the access token
  const sessionSeconds = tokens.refreshToken ? SESSION_MAX_AGE_SECONDS : accessSeconds;
  const cookies: CookieToSet[] = [
    { name: ACCESS_TOKEN_COOKIE, value: tokens.accessToken, options: accessOptions(cookieDomain, accessSeconds) },
  ];
  if (tokens.refreshToken)
    cookies.push({ name: REFRESH_TOKEN_COOKIE, value: tokens.refreshToken, options: refreshOptions(sessionSeconds) });
  if (tokens.idToken)
    cookies.push({ name: ID_TOKEN_COOKIE, value: tokens.idToken, options: idTokenOptions(sessionSeconds) });
  return cookies;
}

/** Options to clear the three token cookies (path and domain must match the ones that set them). */
export function tokenCookiesToClear(cookieDomain?: string): { name: string; options: CookieOptions }[] {
  return [
    { name: ACCESS_TOKEN_COOKIE, options: accessOptions(cookieDomain) },
    { name: REFRESH_TOKEN_COOKIE, options: refreshOptions() },
    { name: ID_TOKEN_COOKIE, options: idTokenOptions() },
  ];
}

/** The login cookie: HttpOnly, only sent back to `/callback`; Lax so the provider's redirect carries it. */
export function loginCookieOptions(maxAgeSeconds?: number): CookieOptions {
  return { ...base('lax', true, CALLBACK_PATH), ...maxAge(maxAgeSeconds) };
}

/**
 * The request's cookies by name; the first of repeated names wins (RFC 6265 §5.4 sends the
 * longest path first). Values are URI-decoded, as Express encodes them.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    const name = pair.slice(0, equals).trim();
    if (!name || cookies.has(name)) continue;
    const raw = pair.slice(equals + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

function accessOptions(cookieDomain: string | undefined, seconds?: number): CookieOptions {
  return { ...base('lax', true, '/'), ...(cookieDomain ? { domain: cookieDomain } : {}), ...maxAge(seconds) };
}

// Strict: a refresh is never the result of following a link from another site
function refreshOptions(seconds?: number): CookieOptions {
  return { ...base('strict', true, REFRESH_PATH), ...maxAge(seconds) };
}

// readable by the page (display only): a JWT, not a credential for the APIs (wrong audience)
function idTokenOptions(seconds?: number): CookieOptions {
  return { ...base('lax', false, '/'), ...maxAge(seconds) };
}

function base(sameSite: 'lax' | 'strict', httpOnly: boolean, path: string): CookieOptions {
  return { httpOnly, secure: true, sameSite, path };
}

function maxAge(seconds: number | undefined): CookieOptions {
  return seconds === undefined ? {} : { maxAge: seconds * 1000 };
}
