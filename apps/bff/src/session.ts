import type { Request } from 'express';
import type { BffSessionData, TokenSet } from './token-set.js';

declare module 'express-session' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SessionData extends BffSessionData {}
}

/**
 * The session cookie's name. `__Host-`: the browser keeps it only when set Secure, with `Path=/`
 * and no `Domain`, by this very host, so a sibling subdomain (or another `*.localhost` app) can
 * neither plant one nor read it (RFC 6265bis §4.1.3.2).
 */
export const SESSION_COOKIE = '__Host-bff.sid';

/** Saves the session to the store now. */
export function saveSession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.save((error) => (error ? reject(error) : resolve())));
}

/** A new session id with the same data: no session fixation across login. */
export function regenerateSession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.regenerate((error) => (error ? reject(error) : resolve())));
}

/** Reads the session's tokens from the store again (another replica may have refreshed them). */
export function reloadTokens(request: Request): Promise<TokenSet | undefined> {
  return new Promise((resolve, reject) =>
    request.session.reload((error) => (error ? reject(error) : resolve(request.session.tokens))),
  );
}

/** Ends the session in the store. */
export function destroySession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.destroy((error) => (error ? reject(error) : resolve())));
}

/**
 * The session's data as the store holds it now, without replacing `request.session`: `null`
 * when the session is gone (destroyed by a logout, expired). A store failure rejects.
 */
export function storedSessionTokens(request: Request): Promise<{ tokens?: TokenSet } | null> {
  return new Promise((resolve, reject) =>
    request.sessionStore.get(request.sessionID, (error, data) =>
      error ? reject(error as Error) : resolve(data ? { tokens: data.tokens } : null),
    ),
  );
}
