import { randomBytes, type KeyObject } from 'node:crypto';
import { EnvReader, type EnvVars } from '../../shared/src/env.js';
import { oidcClientSettingsFromEnv, type OidcClientSettings } from '../../shared/src/oidc-client-settings.js';
import { generateDpopKey, readDpopKey } from './dpop-key.js';

/** Everything the BFF reads from its environment. */
export interface BffConfig extends OidcClientSettings {
  readonly port: number;
  readonly host?: string;
  /** The BFF's own public origin: redirect URIs and the CSRF Origin check derive from it. */
  readonly origin: string;
  readonly redisUrl?: string;
  /** Signs the session cookie; replicas sharing Redis must share it. */
  readonly sessionSecret: string;
  /**
   * The EC P-256 private key the session's tokens are bound to with DPoP (RFC 9449), from
   * `BFF_DPOP_KEY` or made per process; undefined with `BFF_DPOP=false` (plain bearer tokens).
   * Replicas sharing Redis must share it: a token bound to one key is useless with another.
   */
  readonly dpopKey?: KeyObject;
}

/**
 * Reads the BFF's variables: PORT (3005), HOST, BFF_ORIGIN (http://localhost:3005), the OIDC
 * client's (`oidcClientSettingsFromEnv`, client `bff` with secret `bff-secret`), REDIS_URL
 * (sessions in Redis; memory when unset), SESSION_SECRET (required with REDIS_URL), BFF_DPOP
 * (`true` or `false`, default true: DPoP-bound tokens), BFF_DPOP_KEY (an EC P-256 private key,
 * JWK or PEM; made per process when unset, required with REDIS_URL and DPoP).
 * @throws ResourceServerConfigError with one line per problem, each naming the variable (never
 * repeating a secret or a key).
 */
export function bffConfigFromEnv(vars: EnvVars): BffConfig {
  const env = new EnvReader(vars);
  const port = env.port('PORT', 3005);
  const origin = env.origin('BFF_ORIGIN', 'http://localhost:3005');
  const oidc = oidcClientSettingsFromEnv(env, { clientId: 'bff', clientSecret: 'bff-secret' });
  const redisUrl = env.optional('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\/\S+$/.test(redisUrl)) env.problem('REDIS_URL', 'expected a redis:// or rediss:// URL');
  let sessionSecret = env.optional('SESSION_SECRET');
  if (!sessionSecret) {
    if (redisUrl)
      env.problem('SESSION_SECRET', 'required with REDIS_URL, so that every replica accepts the session cookie');
    sessionSecret = randomBytes(32).toString('base64url');
  }
  const dpop = env.boolean('BFF_DPOP', true);
  const dpopKey = dpop && env.valid('BFF_DPOP') ? readDpopKeyFromEnv(env, redisUrl) : undefined;
  env.assertValid();
  return { port, host: env.optional('HOST'), origin, ...oidc, redisUrl, sessionSecret, dpopKey };
}

/** `BFF_DPOP_KEY`, or a key made for this process when it is unset and no replica shares the sessions. */
function readDpopKeyFromEnv(env: EnvReader, redisUrl: string | undefined): KeyObject | undefined {
  const text = env.optional('BFF_DPOP_KEY');
  if (!text) {
    if (redisUrl)
      env.problem(
        'BFF_DPOP_KEY',
        "required with REDIS_URL and BFF_DPOP=true, so that every replica can use the session's DPoP-bound tokens",
      );
    return generateDpopKey();
  }
  try {
    return readDpopKey(text);
  } catch (error) {
    // the message never repeats the value: it is a private key
    env.problem('BFF_DPOP_KEY', (error as Error).message);
    return undefined;
  }
}
