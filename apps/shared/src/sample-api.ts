import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { optionsFromEnv, resolveOptions, type ResourceServerOptions } from 'nest-resource-server';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createResourceServerDocument } from 'nest-resource-server/openapi';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { EnvReader, type EnvVars } from './env.js';
import { corsOptionsFor, HTTP_PLATFORMS, httpAdapterFor, type HttpPlatform } from './http-platform.js';
import { httpsOptionsFor, tlsFilesFromEnv, type TlsFiles } from './tls-files.js';

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
 * operator contract), before Nest starts: the library's `OAUTH_*` variables, then `PORT`,
 * `HOST`, `HTTP_PLATFORM`, `CORS_ORIGINS`, `METRICS_PORT`, and the TLS files with `OAUTH_MTLS`.
 * @throws ResourceServerConfigError with one line per problem, each naming the variable.
 */
export function sampleApiConfigFromEnv(vars: EnvVars, defaults: { port: number; audience: string }): SampleApiConfig {
  const env = new EnvReader(vars);
  const resourceServer = env.include(() => {
    const options = optionsFromEnv(vars, { issuer: DEV_ISSUER, audience: defaults.audience, realm: defaults.audience });
    resolveOptions(options);
    return options;
  });
  const port = env.port('PORT', defaults.port);
  const platform = env.oneOf('HTTP_PLATFORM', HTTP_PLATFORMS);
  const corsOrigins = env.origins('CORS_ORIGINS');
  const metricsPort = env.port('METRICS_PORT');
  const tls = resourceServer?.mtls === true ? tlsFilesFromEnv(env) : undefined;
  env.assertValid();
  const options = resourceServer!; // undefined only when include() recorded a problem
  // the contract's CSRF rule: a cookie-borne write must come from CORS_ORIGINS or OAUTH_TRUSTED_ORIGINS
  const trustedOrigins = [...(options.trustedOrigins ?? []), ...corsOrigins];
  return {
    platform,
    port,
    host: env.optional('HOST'),
    corsOrigins,
    resourceServer: { ...options, trustedOrigins },
    metricsPort,
    tls,
  };
}

/** The issuers a sample API accepts tokens from, for its start-up line. */
export function issuerNames({ issuer }: ResourceServerOptions): string[] {
  if (typeof issuer === 'function') return ['resolved per token'];
  return [issuer].flat().map((each) => (typeof each === 'object' ? each.issuer : each));
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
