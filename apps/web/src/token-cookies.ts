import type { CookieOptions } from 'express';

/**
 * The access token: sent by the browser to the APIs, never readable by the page. Unprefixed,
 * because the APIs read it by this name (`OAUTH_COOKIE_NAME`, default `app.at`) and, with
 * `COOKIE_DOMAIN`, it must reach sibling hosts (a `__Host-` cookie cannot carry `Domain`).
 */
export const ACCESS_TOKEN_COOKIE = 'app.at';
/**
 * The refresh token: read by `POST /refresh` and `POST /logout` only. `__Host-`: Secure, no
 * `Domain`, `Path=/`, so no sibling host can set or overwrite it (RFC 6265bis §4.1.3.2).
 */
export const REFRESH_TOKEN_COOKIE = '__Host-app.rt';
/** The id token: readable by the page, for display only. `__Host-`, as the refresh token's. */
export const ID_TOKEN_COOKIE = '__Host-app.idt';
/**
 * PKCE verifier, state and nonce of a login in progress, sealed (see `CookieSealer`).
 * `__Host-`: a same-site page cannot plant its own (login CSRF), because a sibling host can
 * set no cookie of that name for this host.
 */
export const LOGIN_COOKIE = '__Host-app.login';
/**
 * Readable marker that lives a little less than the access token (value `1`): while it is
 * there, the page calls the APIs; once the browser dropped it, the page refreshes first. The
 * page never sees the access token itself, nor its `exp`.
 */
export const FRESH_COOKIE = '__Host-app.fresh';
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
 * The token cookies, and the freshness marker. The access token's cookie expires with the
 * token, and the marker a little sooner (a tenth of the lifetime, at most 10 s), so the page
 * refreshes before the browser stops sending an access token. `cookieDomain` widens only the
 * access token's cookie, the one the APIs read; every other cookie is `__Host-`.
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
  const freshSeconds = Math.max(1, accessSeconds - Math.min(10, Math.floor(accessSeconds / 10)));
  cookies.push({ name: FRESH_COOKIE, value: '1', options: idTokenOptions(freshSeconds) });
  return cookies;
}

/**
 * Options to clear the token cookies and the marker (path and domain must match the ones that
 * set them).
 */
export function tokenCookiesToClear(cookieDomain?: string): { name: string; options: CookieOptions }[] {
  return [
    { name: ACCESS_TOKEN_COOKIE, options: accessOptions(cookieDomain) },
    { name: REFRESH_TOKEN_COOKIE, options: refreshOptions() },
    { name: ID_TOKEN_COOKIE, options: idTokenOptions() },
    { name: FRESH_COOKIE, options: idTokenOptions() },
  ];
}

/**
 * The login cookie: HttpOnly, `__Host-` (so `Path=/`, though only `/callback` reads it); Lax,
 * so that the provider's redirect back to `/callback`, a top-level GET, carries it.
 */
export function loginCookieOptions(maxAgeSeconds?: number): CookieOptions {
  return { ...base('lax', true, '/'), ...maxAge(maxAgeSeconds) };
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

// Strict: a refresh or a logout is never the result of following a link from another site.
// Path=/ (a __Host- cookie must have it): /logout needs the token too, to revoke it.
function refreshOptions(seconds?: number): CookieOptions {
  return { ...base('strict', true, '/'), ...maxAge(seconds) };
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
