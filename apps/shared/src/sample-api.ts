import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  optionsFromEnv,
  ResourceServerConfigError,
  resolveOptions,
  type ResourceServerOptions,
} from 'nest-resource-server';
import { allInterfaces, corsOptionsFor, HTTP_PLATFORMS, httpAdapterFor, type HttpPlatform } from './http-platform.js';

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
  if (problems.length > 0 || !resourceServer || !platform) throw new ResourceServerConfigError(problems);
  // the contract's CSRF rule: a cookie-borne write must come from CORS_ORIGINS or OAUTH_TRUSTED_ORIGINS
  const trustedOrigins = [...(resourceServer.trustedOrigins ?? []), ...corsOrigins.map((o) => new URL(o).origin)];
  resourceServer = { ...resourceServer, trustedOrigins };
  return { platform, port, host: env.HOST?.trim() || undefined, corsOrigins, resourceServer };
}

/**
 * Creates a sample API the way its `main.ts` does, on its platform: no body parsed before
 * the handler (a body is read only after the token was validated, see `JsonBody`), no
 * `X-Powered-By`, and CORS with credentials for the configured origins, exposing
 * `WWW-Authenticate` to the page.
 */
export async function createSampleApi(
  module: DynamicModule,
  config: Pick<SampleApiConfig, 'platform' | 'corsOrigins'>,
  logger?: LogLevel[] | false,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, await httpAdapterFor(config.platform), {
    bodyParser: false,
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  if (config.corsOrigins.length > 0) app.enableCors(corsOptionsFor(config.platform, config.corsOrigins));
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
  const app = await createSampleApi(moduleFor(config.resourceServer), config);
  await app.listen(config.port, config.host ?? (await allInterfaces()));
  const issuers = [config.resourceServer.issuer].flat().map((i) => (typeof i === 'object' ? i.issuer : i));
  console.log(`${name} listening on ${await app.getUrl()} (issuer ${issuers.join(', ')})`);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
