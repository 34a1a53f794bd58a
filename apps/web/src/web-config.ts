/** Everything the web app reads from its environment. */
export interface WebConfig {
  readonly port: number;
  readonly host?: string;
  /** The app's own public origin: the redirect URIs and the `/refresh` Origin check derive from it. */
  readonly origin: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space separated; always holds `openid`. */
  readonly scopes: string;
  readonly todoApiUrl: string;
  readonly helpApiUrl: string;
  /** apps/proxy, which the page also calls with the cookie; unset: the page has no proxy section. */
  readonly proxyUrl?: string;
  /** apps/bff, which the page only links to; unset: no link. */
  readonly bffUrl?: string;
  /** `Domain` of the access token cookie (for APIs on sibling hosts); unset: host-only. */
  readonly cookieDomain?: string;
}

const DEFAULT_SCOPES = 'openid profile email offline_access todo:write help:write';

/**
 * Reads the web app's variables: PORT (3000), HOST, WEB_ORIGIN (http://localhost:3000),
 * OAUTH_ISSUER (http://localhost:4000), OAUTH_CLIENT_ID (web), OAUTH_CLIENT_SECRET (web-secret),
 * OAUTH_SCOPES, TODO_API_URL (http://localhost:3001), HELP_API_URL (http://localhost:3002),
 * PROXY_URL and BFF_URL (both unset: the page shows neither pattern), COOKIE_DOMAIN (unset:
 * host-only cookies).
 * @returns the config, or the problems, one line each naming the variable.
 */
export function webConfigFromEnv(env: Record<string, string | undefined>): WebConfig | { problems: string[] } {
  const problems: string[] = [];
  const read = (name: string, fallback?: string) => env[name]?.trim() || fallback;
  const url = (name: string, fallback?: string): URL | undefined => {
    const value = read(name, fallback);
    if (value === undefined) return undefined; // an optional variable, unset
    try {
      const parsed = new URL(value);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed;
    } catch {
      // reported below
    }
    problems.push(`${name}: expected an http(s) URL, got ${JSON.stringify(value)}`);
    return undefined;
  };

  const portText = read('PORT', '3000')!;
  if (!/^\d+$/.test(portText) || Number(portText) > 65535)
    problems.push(`PORT: expected a port number, got ${JSON.stringify(portText)}`);

  const origin = url('WEB_ORIGIN', 'http://localhost:3000');
  if (origin && origin.href !== `${origin.origin}/`)
    problems.push(`WEB_ORIGIN: expected an origin without path, got ${JSON.stringify(read('WEB_ORIGIN'))}`);
  else if (origin && origin.protocol === 'http:' && !isLoopback(origin.hostname))
    problems.push('WEB_ORIGIN: must be https (http only on localhost): the token cookies are Secure');

  url('OAUTH_ISSUER', 'http://localhost:4000');
  const todoApi = url('TODO_API_URL', 'http://localhost:3001');
  const helpApi = url('HELP_API_URL', 'http://localhost:3002');
  const proxy = url('PROXY_URL');
  const bff = url('BFF_URL');

  const scopes = read('OAUTH_SCOPES', DEFAULT_SCOPES)!.split(/\s+/);
  if (!scopes.includes('openid')) problems.push('OAUTH_SCOPES: must include openid (the login needs an id token)');

  const cookieDomain = read('COOKIE_DOMAIN')?.toLowerCase();
  if (cookieDomain !== undefined && !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(cookieDomain))
    problems.push(`COOKIE_DOMAIN: expected a domain such as .example.com, got ${JSON.stringify(cookieDomain)}`);
  else if (cookieDomain !== undefined && origin && !domainMatches(origin.hostname, cookieDomain))
    problems.push(`COOKIE_DOMAIN: ${cookieDomain} does not cover WEB_ORIGIN's host ${origin.hostname}`);
  else if (origin) {
    // the page calls the APIs with the app.at cookie: a host the cookie does not cover gets no token
    const scope = cookieDomain ? `Domain=${cookieDomain}` : `host-only, ${origin.hostname}`;
    for (const [name, api] of [
      ['TODO_API_URL', todoApi],
      ['HELP_API_URL', helpApi],
      ['PROXY_URL', proxy],
    ] as const) {
      const reached = cookieDomain
        ? domainMatches(api?.hostname ?? '', cookieDomain)
        : api?.hostname === origin.hostname;
      if (api && !reached)
        problems.push(
          `${name}: the app.at cookie (${scope}) would not reach ${api.hostname}; set COOKIE_DOMAIN to a parent domain of both hosts`,
        );
    }
  }

  if (problems.length > 0) return { problems };
  return {
    port: Number(portText),
    host: read('HOST'),
    origin: origin!.origin,
    issuer: read('OAUTH_ISSUER', 'http://localhost:4000')!, // exactly as given: it must equal the metadata's issuer
    clientId: read('OAUTH_CLIENT_ID', 'web')!,
    clientSecret: read('OAUTH_CLIENT_SECRET', 'web-secret')!,
    scopes: scopes.join(' '),
    todoApiUrl: withoutTrailingSlash(todoApi!.href),
    helpApiUrl: withoutTrailingSlash(helpApi!.href),
    proxyUrl: proxy && withoutTrailingSlash(proxy.href),
    bffUrl: bff && withoutTrailingSlash(bff.href),
    cookieDomain,
  };
}

/** Browsers treat these as secure contexts, so Secure cookies work over plain http. */
function isLoopback(hostname: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(hostname) || hostname.endsWith('.localhost');
}

/** RFC 6265 §5.1.3 domain-match (a leading dot in `Domain` is ignored, §5.2.3). */
function domainMatches(host: string, domain: string): boolean {
  const bare = domain.replace(/^\./, '');
  return host === bare || host.endsWith(`.${bare}`);
}

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/$/, '');
}
