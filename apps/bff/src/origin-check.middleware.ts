import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF rule of the session cookie: a state-changing request (anything but `GET`, `HEAD`,
 * `OPTIONS`) must come from the BFF's own page, that is carry `Origin: <BFF_ORIGIN>` exactly,
 * or, without `Origin`, `Sec-Fetch-Site: same-origin`. Browsers send `Origin` on every
 * cross-origin POST/DELETE and never let a page forge it. (The SameSite=Lax cookie already
 * stops cross-site sends; this also covers same-site attackers, such as a sibling subdomain.)
 */
export function isTrustedRequest(method: string | undefined, headers: IncomingHttpHeaders, origin: string): boolean {
  if (SAFE_METHODS.has(method ?? 'GET')) return true;
  // two Origin headers arrive joined ("a, b") and so never equal the one trusted origin
  if (headers.origin !== undefined) return headers.origin === origin;
  return headers['sec-fetch-site'] === 'same-origin';
}

/**
 * The {@link isTrustedRequest} rule as the first middleware after the security headers: a
 * refused request is answered 403 before its session is loaded and before its body is read.
 */
export function originCheck(origin: string) {
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (isTrustedRequest(request.method, request.headers, origin)) return next();
    response.statusCode = 403;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.setHeader('connection', 'close'); // the unread body is not worth keeping the socket for
    response.end(JSON.stringify({ statusCode: 403, error: 'csrf', message: 'cross-origin request refused' }));
  };
}
