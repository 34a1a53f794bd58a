import { EnvReader, type EnvVars } from '../../shared/src/env.js';

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

/**
 * Reads `PORT` (4000), `HOST`, `AUTH_ISSUER` (`http://localhost:4000`), `ACCESS_TOKEN_TTL`
 * (seconds, 300), `WEB_ORIGIN` (`http://localhost:3000`) and `BFF_ORIGIN`
 * (`http://localhost:3005`), checking them all before anything starts.
 * @throws ResourceServerConfigError listing every problem, each naming its variable.
 */
export function authServerConfigFromEnv(vars: EnvVars): AuthServerConfig {
  const env = new EnvReader(vars);
  const config: AuthServerConfig = {
    port: env.port('PORT', 4000),
    host: env.optional('HOST'),
    accessTokenTtlSeconds: env.positiveInteger('ACCESS_TOKEN_TTL', 300, 'a positive number of seconds'),
    // an origin only: the provider serves its routes at the root, and a trailing slash would
    // make `iss` differ from the OAUTH_ISSUER the APIs compare it with
    issuer: env.origin('AUTH_ISSUER', 'http://localhost:4000'),
    webOrigin: env.origin('WEB_ORIGIN', 'http://localhost:3000'),
    bffOrigin: env.origin('BFF_ORIGIN', 'http://localhost:3005'),
  };
  env.assertValid();
  return config;
}
