/** Everything the dev authorization server reads from its environment. */
export interface AuthServerConfig {
  /** Listen port. Default: 4000. */
  readonly port: number;
  /** Listen address; all interfaces when undefined. */
  readonly host?: string;
  /** `iss` of every token and base of discovery (an origin); must equal the URL clients use. Default: `http://localhost:4000`. */
  readonly issuer: string;
  /** Lifetime of access tokens, in seconds. Default: 300. */
  readonly accessTokenTtlSeconds: number;
  /** Origin of `apps/web` (client `web`): redirect `<origin>/callback`, post-logout `<origin>/`. */
  readonly webOrigin: string;
  /** Origin of `apps/bff` (client `bff`): redirect `<origin>/callback`, post-logout `<origin>/`. */
  readonly bffOrigin: string;
}

/** Invalid environment: one line per problem, each naming the variable. */
export class AuthServerConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'AuthServerConfigError';
  }
}

/**
 * Reads `PORT` (4000), `HOST`, `AUTH_ISSUER` (`http://localhost:4000`), `ACCESS_TOKEN_TTL`
 * (seconds, 300), `WEB_ORIGIN` (`http://localhost:3000`) and `BFF_ORIGIN`
 * (`http://localhost:3005`), checking them all before anything starts.
 * @throws AuthServerConfigError listing every problem, each naming its variable.
 */
export function authServerConfigFromEnv(env: Record<string, string | undefined>): AuthServerConfig {
  const problems: string[] = [];
  const read = (name: string, fallback: string) => env[name]?.trim() || fallback;

  const portText = read('PORT', '4000');
  if (!/^\d+$/.test(portText) || Number(portText) > 65535)
    problems.push(`PORT: expected a port number, got ${JSON.stringify(portText)}`);

  const ttlText = read('ACCESS_TOKEN_TTL', '300');
  if (!/^\d+$/.test(ttlText) || Number(ttlText) < 1)
    problems.push(`ACCESS_TOKEN_TTL: expected a positive number of seconds, got ${JSON.stringify(ttlText)}`);

  // an origin only: the provider serves its routes at the root, and a trailing slash would
  // make `iss` differ from the OAUTH_ISSUER the APIs compare it with
  const issuer = read('AUTH_ISSUER', 'http://localhost:4000').replace(/\/$/, '');
  if (!isOrigin(issuer))
    problems.push(
      `AUTH_ISSUER: expected an http(s) origin such as http://localhost:4000, got ${JSON.stringify(issuer)}`,
    );

  const origin = (name: string, fallback: string) => {
    const value = read(name, fallback).replace(/\/$/, '');
    if (!isOrigin(value))
      problems.push(`${name}: expected an origin such as http://localhost:3000, got ${JSON.stringify(value)}`);
    return value;
  };
  const webOrigin = origin('WEB_ORIGIN', 'http://localhost:3000');
  const bffOrigin = origin('BFF_ORIGIN', 'http://localhost:3005');

  if (problems.length > 0) throw new AuthServerConfigError(problems);
  return {
    port: Number(portText),
    host: env.HOST?.trim() || undefined,
    issuer,
    accessTokenTtlSeconds: Number(ttlText),
    webOrigin,
    bffOrigin,
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
