import { EnvReader, type EnvVars } from '../../shared/src/env.js';
import { sampleApiConfigFromEnv, type SampleApiConfig } from '../../shared/src/sample-api.js';
import type { ForwardingOptions } from './forwarding-proxy.js';

/** A sample API's configuration (the guard in front), and where and how it forwards. */
export interface ProxyConfig extends SampleApiConfig {
  readonly forwarding: ForwardingOptions;
}

/**
 * Reads the proxy's variables: a sample API's (`PORT` 3004, `OAUTH_AUDIENCE` `todo-api`, the
 * audience of the upstream it serves; Express only), then `UPSTREAM_URL`
 * (`http://127.0.0.1:3001`), `PROXY_TIMEOUT_MS` (10000) and `PROXY_TRUST_FORWARDED` (false).
 * @throws ResourceServerConfigError with one line per problem, each naming the variable.
 */
export function proxyConfigFromEnv(vars: EnvVars): ProxyConfig {
  const env = new EnvReader(vars);
  // http-proxy-middleware streams Node's request and response, which Express hands out as they are
  const platform = env.optional('HTTP_PLATFORM');
  if (platform !== undefined && platform !== 'express')
    env.problem('HTTP_PLATFORM', `the proxy runs on express only, got ${JSON.stringify(platform)}`);
  const api = env.include(() =>
    sampleApiConfigFromEnv({ ...vars, HTTP_PLATFORM: 'express' }, { port: 3004, audience: 'todo-api' }),
  );
  const forwarding: ForwardingOptions = {
    upstream: env.url('UPSTREAM_URL', 'http://127.0.0.1:3001'),
    mountPath: '/api',
    timeoutMs: env.positiveInteger('PROXY_TIMEOUT_MS', 10_000, 'milliseconds'),
    trustForwarded: env.boolean('PROXY_TRUST_FORWARDED', false),
  };
  env.assertValid();
  return { ...api!, forwarding }; // api is undefined only when include() recorded a problem
}
