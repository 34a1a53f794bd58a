import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  optionsFromEnv,
  ResourceServerConfigError,
  resolveOptions,
  type ResourceServerOptions,
} from 'nest-resource-server';

/** Where the embedded dev authorization server (apps/auth-server) listens. */
export const DEV_ISSUER = 'http://localhost:4000';

/** What a sample API reads from the environment besides the module's own options. */
export interface SampleApiConfig {
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
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!isOrigin(origin))
      problems.push(`CORS_ORIGINS: expected origins such as https://app.example.com, got ${JSON.stringify(origin)}`);
  }
  if (problems.length > 0 || !resourceServer) throw new ResourceServerConfigError(problems);
  return { port, host: env.HOST?.trim() || undefined, corsOrigins, resourceServer };
}

/**
 * Creates a sample API the way its `main.ts` does: no global body parser (a body is read
 * only after the token was validated, see `JsonBody`), and CORS with credentials for
 * the configured origins, exposing `WWW-Authenticate` to the page.
 */
export async function createSampleApi(
  module: DynamicModule,
  corsOrigins: readonly string[],
  logger?: LogLevel[] | false,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  app.disable('x-powered-by');
  if (corsOrigins.length > 0) {
    app.enableCors({ origin: [...corsOrigins], credentials: true, exposedHeaders: ['WWW-Authenticate'], maxAge: 600 });
  }
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
  const app = await createSampleApi(moduleFor(config.resourceServer), config.corsOrigins);
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
  console.log(`${name} listening on ${await app.getUrl()} (issuer ${config.resourceServer.issuer})`);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}
