import { randomBytes, type KeyObject } from 'node:crypto';
import { generateDpopKey, readDpopKey } from './dpop-key.js';

/** Everything the BFF reads from its environment. */
export interface BffConfig {
  readonly port: number;
  readonly host?: string;
  /** The BFF's own public origin: redirect URIs and the CSRF Origin check derive from it. */
  readonly origin: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: string;
  readonly todoApiUrl: string;
  readonly helpApiUrl: string;
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
 * Reads the BFF's variables: PORT (3005), HOST, BFF_ORIGIN (http://localhost:3005),
 * OAUTH_ISSUER (http://localhost:4000), OAUTH_CLIENT_ID (bff), OAUTH_CLIENT_SECRET (bff-secret),
 * OAUTH_SCOPES, TODO_API_URL (http://localhost:3001), HELP_API_URL (http://localhost:3002),
 * REDIS_URL (sessions in Redis; memory when unset), SESSION_SECRET (required with REDIS_URL),
 * BFF_DPOP (`true` or `false`, default true: DPoP-bound tokens), BFF_DPOP_KEY (an EC P-256
 * private key, JWK or PEM; made per process when unset, required with REDIS_URL and DPoP).
 * @returns the config, or the problems, one line each naming the variable.
 */
export function bffConfigFromEnv(env: Record<string, string | undefined>): BffConfig | { problems: string[] } {
  const problems: string[] = [];
  const read = (name: string, fallback?: string) => env[name]?.trim() || fallback;
  const url = (name: string, fallback: string) => {
    const value = read(name, fallback)!;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
    } catch {
      problems.push(`${name}: expected an http(s) URL, got ${JSON.stringify(value)}`);
    }
    return value.replace(/\/$/, '');
  };
  const portText = read('PORT', '3005')!;
  if (!/^\d+$/.test(portText) || Number(portText) > 65535)
    problems.push(`PORT: expected a port number, got ${JSON.stringify(portText)}`);
  const redisUrl = read('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\/\S+$/.test(redisUrl)) problems.push('REDIS_URL: expected a redis:// or rediss:// URL');
  let sessionSecret = read('SESSION_SECRET');
  if (!sessionSecret) {
    if (redisUrl)
      problems.push('SESSION_SECRET: required with REDIS_URL, so that every replica accepts the session cookie');
    sessionSecret = randomBytes(32).toString('base64url');
  }
  const dpopText = read('BFF_DPOP', 'true')!;
  if (dpopText !== 'true' && dpopText !== 'false')
    problems.push(`BFF_DPOP: expected true or false, got ${JSON.stringify(dpopText)}`);
  let dpopKey: KeyObject | undefined;
  const dpopKeyText = read('BFF_DPOP_KEY');
  if (dpopText === 'true') {
    try {
      // the message never repeats the value: it is a private key
      dpopKey = dpopKeyText ? readDpopKey(dpopKeyText) : undefined;
    } catch (error) {
      problems.push(`BFF_DPOP_KEY: ${(error as Error).message}`);
    }
    if (!dpopKeyText && redisUrl)
      problems.push(
        "BFF_DPOP_KEY: required with REDIS_URL and BFF_DPOP=true, so that every replica can use the session's DPoP-bound tokens",
      );
    if (!dpopKeyText) dpopKey = generateDpopKey();
  }
  const config: BffConfig = {
    port: Number(portText),
    host: read('HOST'),
    origin: url('BFF_ORIGIN', 'http://localhost:3005'),
    issuer: url('OAUTH_ISSUER', 'http://localhost:4000'),
    clientId: read('OAUTH_CLIENT_ID', 'bff')!,
    clientSecret: read('OAUTH_CLIENT_SECRET', 'bff-secret')!,
    scopes: read('OAUTH_SCOPES', 'openid profile email offline_access todo:write help:write')!,
    todoApiUrl: url('TODO_API_URL', 'http://localhost:3001'),
    helpApiUrl: url('HELP_API_URL', 'http://localhost:3002'),
    redisUrl,
    sessionSecret,
    dpopKey,
  };
  return problems.length > 0 ? { problems } : config;
}
