import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../errors/bearer-token.errors.js';
import { markDpopScheme } from '../errors/dpop-challenge.js';
import type { BearerTokenResolver, ResolvedToken } from './bearer-token-resolver.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const BEARER = /^bearer(?:$|[ \t]+)/i;
const DPOP = /^dpop(?:$|[ \t]+)/i;

/**
 * Reads `Authorization: Bearer` (scheme in any case) and one cookie, exactly as the
 * operator contract says: never the query string or the body; other schemes and other
 * cookies count as no token; two different tokens are an `invalid_request`.
 */
export class HeaderOrCookieTokenResolver implements BearerTokenResolver {
  /**
   * @param cookieName the access-token cookie, or undefined to read only the header.
   * @param dpop accept `Authorization: DPoP <token>` with its one `DPoP` proof header (RFC 9449 §7.1); otherwise that scheme is no token.
   */
  constructor(
    private readonly cookieName?: string,
    private readonly dpop = false,
  ) {}

  resolve(request: IncomingMessage): ResolvedToken | undefined {
    const fromHeader = this.fromHeader(request);
    const fromCookie = this.cookieName === undefined ? undefined : this.fromCookie(request, this.cookieName);
    const headerToken = fromHeader instanceof DpopToken ? fromHeader.token : fromHeader;
    if (headerToken !== undefined && fromCookie !== undefined && headerToken !== fromCookie) {
      // reject, don't pick one: two tokens may mean a fixation or confusion attempt
      throw new InvalidRequestError('request carries two different tokens', 'two_tokens');
    }
    if (fromHeader instanceof DpopToken) {
      markDpopScheme(request); // so that even a 400 for its proof header answers with the DPoP challenge
      return { token: fromHeader.token, source: 'header', scheme: 'dpop', dpopProof: dpopProofOf(request) };
    }
    if (fromHeader !== undefined) {
      if (this.dpop) dpopProofOf(request); // two DPoP headers are malformed whatever the scheme
      return { token: fromHeader, source: 'header' };
    }
    if (fromCookie !== undefined) return { token: fromCookie, source: 'cookie' };
    return undefined;
  }

  private fromHeader(request: IncomingMessage): string | DpopToken | undefined {
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
    const dpop = this.dpop ? DPOP.exec(value) : null;
    const scheme = dpop ?? BEARER.exec(value);
    if (scheme === null) return undefined; // another scheme: not ours
    const name = dpop ? 'DPoP' : 'Bearer';
    const token = value.slice(scheme[0].length);
    if (token === '') throw new InvalidRequestError(`${name} scheme without a token`, 'bad_header');
    if (!B64TOKEN.test(token)) {
      throw new InvalidRequestError(`${name} token has characters outside RFC 6750 b64token`, 'bad_header');
    }
    return dpop ? new DpopToken(token) : token;
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

/** A token sent with the `DPoP` scheme. */
class DpopToken {
  constructor(readonly token: string) {}
}

/**
 * The one `DPoP` header of the request; two are a malformed request (RFC 9449 §4.3: "not more
 * than one DPoP HTTP request header field"), checked on the raw list since Node joins repeats.
 */
function dpopProofOf(request: IncomingMessage): string | undefined {
  let proof: string | undefined;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'dpop') {
      if (proof !== undefined) throw new InvalidRequestError('request carries more than one DPoP header', 'bad_header');
      proof = raw[i + 1]!.trim();
    }
  }
  return proof;
}
