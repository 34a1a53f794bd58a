import type { IncomingMessage } from 'node:http';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import type { TokenSource } from './bearer-token-resolver.js';

/** Which origins may send state-changing requests that carry the token cookie. */
export interface CrossSitePolicy {
  /** Exact origins (`https://app.example.com`); empty: no cookie-borne write is accepted. */
  readonly trustedOrigins: ReadonlySet<string>;
}

// RFC 9110 §9.2.1: the methods defined as safe (no state change)
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The cookie's CSRF rule (the operator contract, second edition): a request whose token came
 * from the cookie and whose method is not safe must carry exactly one `Origin` header, equal
 * to a trusted origin. A browser attaches the cookie to a same-site form post from a sibling
 * subdomain, which SameSite=Lax does not stop; it cannot forge `Origin`. A token from the
 * `Authorization` header is exempt: a page can only send it by script, which CORS governs.
 * @throws CrossSiteRequestError
 */
export function checkCrossSite(request: IncomingMessage, source: TokenSource, policy: CrossSitePolicy): void {
  if (source !== 'cookie' || SAFE_METHODS.has(request.method ?? 'GET')) return;
  checkTrustedOrigin(request, policy);
}

/**
 * The request carries exactly one `Origin` header, equal to a trusted origin. Also the rule
 * for a WebSocket handshake whose token is the cookie: a GET, yet it opens a channel that
 * neither SameSite (same-site pages) nor CORS (cross-origin ones) protects.
 * @throws CrossSiteRequestError
 */
export function checkTrustedOrigin(request: IncomingMessage, policy: CrossSitePolicy): void {
  let origin: string | undefined;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 6 && raw[i]!.toLowerCase() === 'origin') {
      if (origin !== undefined) throw new CrossSiteRequestError('request carries more than one Origin header');
      origin = raw[i + 1]!;
    }
  }
  if (origin === undefined) throw new CrossSiteRequestError('a cookie-authenticated write needs an Origin header');
  if (!policy.trustedOrigins.has(origin)) throw new CrossSiteRequestError('request origin is not trusted');
}

/** Injection token of the {@link CrossSitePolicy}. @internal */
export const CrossSitePolicy = Symbol.for('nest-resource-server.CrossSitePolicy');
