import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  optionsFromEnv,
  ResourceServerConfigError,
  resolveOptions,
  type ResourceServerOptions,
} from 'nest-resource-server';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createResourceServerDocument } from 'nest-resource-server/openapi';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { startMetricsEndpoint } from './metrics-endpoint.js';
import { allInterfaces, corsOptionsFor, HTTP_PLATFORMS, httpAdapterFor, type HttpPlatform } from './http-platform.js';
import { httpsOptionsFor, readTlsFiles, type TlsFiles } from './tls-files.js';

/** Where the embedded dev authorization server (apps/auth-server) listens. */
export const DEV_ISSUER = 'http://localhost:4000';

/** What a sample API reads from the environment besides the module's own options. */
export interface SampleApiConfig {
  /** `HTTP_PLATFORM`: the Nest platform the API runs on. Default: express. */
  readonly platform: HttpPlatform;
  readonly port: number;
  readonly host?: string;
  readonly corsOrigins: readonly string[];
  readonly resourceServer: ResourceServerOptions;
  /** `METRICS_PORT`: serve Prometheus metrics on this port. Default: unset (no metrics endpoint). */
  readonly metricsPort?: number;
  /** With `OAUTH_MTLS=true`: serve HTTPS and ask for client certificates (RFC 8705). */
  readonly tls?: TlsFiles;
}

/**
 * Reads and checks the whole configuration of a sample API from the environment (the
 * operator contract), before Nest starts.
 * @throws ResourceServerConfigError with one line per problem, each naming the variable.
 */
export function sampleApiConfigFromEnv(
  env: Record<string, string | undefined>,
  defaults: { port: number; audience: string },
): SampleApiConfig {
  const problems: string[] = [];
  let resourceServer: ResourceServerOptions | undefined;
  try {
    resourceServer = optionsFromEnv(env, { issuer: DEV_ISSUER, audience: defaults.audience, realm: defaults.audience });
    resolveOptions(resourceServer);
  } catch (error) {
    if (!(error instanceof ResourceServerConfigError)) throw error;
    problems.push(...error.problems);
  }
  const portText = env.PORT?.trim() || String(defaults.port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    problems.push(`PORT: expected a port number, got ${JSON.stringify(portText)}`);
  const platformText = env.HTTP_PLATFORM?.trim() || HTTP_PLATFORMS[0];
  const platform = HTTP_PLATFORMS.find((name) => name === platformText);
  if (platform === undefined)
    problems.push(`HTTP_PLATFORM: expected one of ${HTTP_PLATFORMS.join(', ')}, got ${JSON.stringify(platformText)}`);
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!isOrigin(origin))
      problems.push(`CORS_ORIGINS: expected origins such as https://app.example.com, got ${JSON.stringify(origin)}`);
  }
  const metricsText = env.METRICS_PORT?.trim() || undefined;
  const metricsPort = metricsText === undefined ? undefined : Number(metricsText);
  if (metricsText !== undefined && (!/^\d+$/.test(metricsText) || metricsPort! > 65535))
    problems.push(`METRICS_PORT: expected a port number, got ${JSON.stringify(metricsText)}`);
  const tls = resourceServer?.mtls === true ? readTlsFiles(env, problems) : undefined;
  if (problems.length > 0 || !resourceServer || !platform) throw new ResourceServerConfigError(problems);
  // the contract's CSRF rule: a cookie-borne write must come from CORS_ORIGINS or OAUTH_TRUSTED_ORIGINS
  const trustedOrigins = [...(resourceServer.trustedOrigins ?? []), ...corsOrigins.map((o) => new URL(o).origin)];
  resourceServer = { ...resourceServer, trustedOrigins };
  return { platform, port, host: env.HOST?.trim() || undefined, corsOrigins, resourceServer, metricsPort, tls };
}

/**
 * Creates a sample API the way its `main.ts` does, on its platform: no body parsed before
 * the handler (a body is read only after the token was validated, see `JsonBody`), no
 * `X-Powered-By`, and CORS with credentials for the configured origins, exposing
 * `WWW-Authenticate` to the page; WebSocket gateways behind `ResourceServerWsAdapter`.
 */
export async function createSampleApi(
  module: DynamicModule,
  config: Pick<SampleApiConfig, 'platform' | 'corsOrigins' | 'tls'>,
  logger?: LogLevel[] | false,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, await httpAdapterFor(config.platform, config.tls), {
    bodyParser: false,
    abortOnError: false,
    ...(config.tls && config.platform === 'express' ? { httpsOptions: httpsOptionsFor(config.tls) } : {}),
    ...(logger !== undefined ? { logger } : {}),
  });
  if (config.corsOrigins.length > 0) app.enableCors(corsOptionsFor(config.platform, config.corsOrigins));
  // WebSocket gateways (todo-api's /live) let in only a handshake with a valid token
  app.useWebSocketAdapter(new ResourceServerWsAdapter(app));
  app.enableShutdownHooks();
  return app;
}

/** `main.ts` of a sample API: configuration errors end the process with one line each. */
export async function runSampleApi(
  name: string,
  defaults: { port: number; audience: string },
  moduleFor: (options: ResourceServerOptions) => DynamicModule,
): Promise<void> {
  let config: SampleApiConfig;
  try {
    config = sampleApiConfigFromEnv(process.env, defaults);
  } catch (error) {
    if (!(error instanceof ResourceServerConfigError)) throw error;
    for (const problem of error.problems) console.error(`${name}: configuration error: ${problem}`);
    process.exit(1);
  }
  const host = config.host ?? (await allInterfaces());
  // before the app: the library's instruments are made when its module is
  if (config.metricsPort !== undefined) {
    const endpoint = await startMetricsEndpoint(config.metricsPort, host);
    console.log(`${name} metrics on ${endpoint.url}`);
  }
  const app = await createSampleApi(moduleFor(config.resourceServer), config);
  await serveApiDocs(app, name);
  await app.listen(config.port, host);
  const issuers = [config.resourceServer.issuer].flat().map((i) => (typeof i === 'object' ? i.issuer : i));
  console.log(`${name} listening on ${await app.getUrl()} (issuer ${issuers.join(', ')})`);
}

/**
 * Serves the OpenAPI document at `/docs-json` and Swagger UI at `/docs` (both public: no
 * guard runs on them), with the security the decorators declare. Discovery gets a short
 * wait: an authorization server that is down costs the start-up at most that, and the
 * document then names the discovery URL instead of its endpoints.
 */
export async function serveApiDocs(app: INestApplication, name: string): Promise<void> {
  const config = new DocumentBuilder()
    .setTitle(name)
    .setDescription(`${name}, a sample API of nest-resource-server`)
    .build();
  const document = await createResourceServerDocument(app, config, { discoveryTimeoutMs: 1500 });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
