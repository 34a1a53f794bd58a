import { EnvReader, type EnvVars } from '../../shared/src/env.js';
import { oidcClientSettingsFromEnv, type OidcClientSettings } from '../../shared/src/oidc-client-settings.js';

/** Everything the web app reads from its environment. */
export interface WebConfig extends OidcClientSettings {
  readonly port: number;
  readonly host?: string;
  /** The app's own public origin: the redirect URIs and the `/refresh` Origin check derive from it. */
  readonly origin: string;
  /** apps/proxy, which the page also calls with the cookie; unset: the page has no proxy section. */
  readonly proxyUrl?: string;
  /** apps/bff, which the page only links to; unset: no link. */
  readonly bffUrl?: string;
  /** `Domain` of the access token cookie (for APIs on sibling hosts); unset: host-only. */
  readonly cookieDomain?: string;
}

/**
 * Reads the web app's variables: PORT (3000), HOST, WEB_ORIGIN (http://localhost:3000), the
 * OIDC client's (`oidcClientSettingsFromEnv`, client `web` with secret `web-secret`), PROXY_URL
 * and BFF_URL (both unset: the page shows neither pattern), COOKIE_DOMAIN (unset: host-only
 * cookies).
 * @throws ResourceServerConfigError with one line per problem, each naming the variable.
 */
export function webConfigFromEnv(vars: EnvVars): WebConfig {
  const env = new EnvReader(vars);
  const port = env.port('PORT', 3000);
  const origin = env.origin('WEB_ORIGIN', 'http://localhost:3000');
  const originHost = env.valid('WEB_ORIGIN') ? new URL(origin).hostname : undefined;
  if (originHost !== undefined && origin.startsWith('http:') && !isLoopback(originHost))
    env.problem('WEB_ORIGIN', 'must be https (http only on localhost): the token cookies are Secure');
  const oidc = oidcClientSettingsFromEnv(env, { clientId: 'web', clientSecret: 'web-secret' });
  const proxyUrl = env.baseUrl('PROXY_URL');
  const bffUrl = env.baseUrl('BFF_URL'); // only linked: no cookie needs to reach it
  const cookieDomain = env.optional('COOKIE_DOMAIN')?.toLowerCase();
  if (cookieDomain !== undefined && !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(cookieDomain))
    env.problem('COOKIE_DOMAIN', `expected a domain such as .example.com, got ${JSON.stringify(cookieDomain)}`);
  else if (originHost !== undefined)
    checkCookieReach(env, originHost, cookieDomain, {
      TODO_API_URL: oidc.todoApiUrl,
      HELP_API_URL: oidc.helpApiUrl,
      PROXY_URL: proxyUrl,
    });
  env.assertValid();
  return { port, host: env.optional('HOST'), origin, ...oidc, proxyUrl, bffUrl, cookieDomain };
}

/**
 * The page calls the APIs with the `app.at` cookie: an API on a host the cookie does not
 * cover gets no token. Records a problem for `COOKIE_DOMAIN` not covering the app's own host,
 * or for each API it does not reach.
 */
function checkCookieReach(
  env: EnvReader,
  originHost: string,
  cookieDomain: string | undefined,
  apis: Record<string, string | undefined>,
): void {
  if (cookieDomain !== undefined && !domainMatches(originHost, cookieDomain)) {
    env.problem('COOKIE_DOMAIN', `${cookieDomain} does not cover WEB_ORIGIN's host ${originHost}`);
    return;
  }
  const scope = cookieDomain ? `Domain=${cookieDomain}` : `host-only, ${originHost}`;
  for (const [name, url] of Object.entries(apis)) {
    if (url === undefined || !env.valid(name)) continue;
    const host = new URL(url).hostname;
    if (cookieDomain ? domainMatches(host, cookieDomain) : host === originHost) continue;
    env.problem(
      name,
      `the app.at cookie (${scope}) would not reach ${host}; set COOKIE_DOMAIN to a parent domain of both hosts`,
    );
  }
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
