import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/bearer-token.errors.js';
import type { BearerTokenResolver, ResolvedToken } from './bearer-token-resolver.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER = /^bearer(?:$|[ \t]+)/i;

/**
 * Reads `Authorization: Bearer` (scheme in any case) and one cookie, exactly as the
 * operator contract says: never the query string or the body; other schemes and other
 * cookies count as no token; two different tokens are an `invalid_request`.
 */
export class HeaderOrCookieTokenResolver implements BearerTokenResolver {
  /** @param cookieName the access-token cookie, or undefined to read only the header. */
  constructor(private readonly cookieName?: string) {}

  resolve(request: IncomingMessage): ResolvedToken | undefined {
    const fromHeader = this.fromHeader(request);
    const fromCookie = this.cookieName === undefined ? undefined : this.fromCookie(request, this.cookieName);
    if (fromHeader !== undefined && fromCookie !== undefined && fromHeader !== fromCookie) {
      // reject, don't pick one: two tokens may mean a fixation or confusion attempt
      throw new InvalidRequestError('request carries two different tokens', 'two_tokens');
    }
    if (fromHeader !== undefined) return { token: fromHeader, source: 'header' };
    if (fromCookie !== undefined) return { token: fromCookie, source: 'cookie' };
    return undefined;
  }

  private fromHeader(request: IncomingMessage): string | undefined {
    // Node keeps only the first Authorization header; the raw list shows the repeats
    let value: string | undefined;
    const raw = request.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') {
        const current = raw[i + 1]!.trim();
        if (value !== undefined && value !== current) {
          throw new InvalidRequestError('request carries more than one Authorization header', 'two_tokens');
        }
        value = current;
      }
    }
    if (value === undefined) return undefined;
    const scheme = BEARER.exec(value);
    if (scheme === null) return undefined; // another scheme: not ours
    const token = value.slice(scheme[0].length);
    if (token === '') throw new InvalidRequestError('Bearer scheme without a token', 'bad_header');
    if (!B64TOKEN.test(token)) {
      throw new InvalidRequestError('Bearer token has characters outside RFC 6750 b64token', 'bad_header');
    }
    return token;
  }

  private fromCookie(request: IncomingMessage, name: string): string | undefined {
    const header = request.headers.cookie;
    if (header === undefined || header === '' || !header.includes(name)) return undefined;
    let found: string | undefined;
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      const value = cookieValue(pair.slice(eq + 1));
      if (value === '') continue; // a cleared cookie is no token
      if (found !== undefined && found !== value) {
        throw new InvalidRequestError('request carries two different token cookies', 'two_tokens');
      }
      found = value;
    }
    return found;
  }
}

function cookieValue(raw: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not percent-encoded after all; verification will reject it if it is no token
  }
}
