import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { SessionStoreHealth } from './session-store.js';

/** Seconds a client is told to wait while the session store is unreachable. */
const RETRY_AFTER_SECONDS = 5;

function answer(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (response.headersSent) return;
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  if (status === 503) response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
  response.end(JSON.stringify(body));
}

/**
 * Loads the session (express-session) only when the store can answer now: while Redis is
 * unreachable the request is 503 at once, and a store failure during the load is 503 too,
 * never a 500 after a long wait.
 */
export function sessionGate(session: RequestHandler, store: SessionStoreHealth) {
  const unavailable = (response: ServerResponse) =>
    answer(response, 503, {
      statusCode: 503,
      error: 'session_store_unavailable',
      message: 'sessions are unavailable right now; try again shortly',
    });
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    // a session's answers (the user, their todos, redirects carrying codes) are never cached
    response.setHeader('cache-control', 'no-store');
    if (!store.isAvailable()) return unavailable(response);
    session(request as never, response as never, (error?: unknown) => (error ? unavailable(response) : next()));
  };
}

/**
 * The page's API needs a logged-in session: without one the request is 401 before its body is
 * read (the body of an anonymous request is never parsed).
 */
export function loginRequired() {
  return (
    request: IncomingMessage & { session?: { tokens?: unknown } },
    response: ServerResponse,
    next: () => void,
  ) => {
    if (request.session?.tokens) return next();
    answer(response, 401, { statusCode: 401, error: 'not_logged_in', login: '/login' });
  };
}
