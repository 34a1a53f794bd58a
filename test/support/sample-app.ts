import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { ResourceServerOptions } from 'nest-resource-server';
import { createSampleApi, sampleApiConfigFromEnv } from '../../apps/shared/src/sample-api.js';
import { listenOnLoopback } from './listen.js';

/** A sample API started in-process exactly as its main.ts configures it, on a loopback port. */
export interface RunningApp {
  readonly app: INestApplication;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a sample API from contract variables (`env`) on a free port, on 127.0.0.1 unless
 * `env.HOST` names another loopback host (a browser test uses `localhost`, so that the
 * page's cookies reach the APIs), on the platform `env.HTTP_PLATFORM` names (default
 * express), as `npm run start:<app>` would.
 */
export async function startSampleApp(
  moduleFor: (options: ResourceServerOptions) => DynamicModule,
  defaults: { port: number; audience: string },
  env: Record<string, string>,
  extra: Partial<ResourceServerOptions> = {},
): Promise<RunningApp> {
  const config = sampleApiConfigFromEnv(env, defaults);
  const app = await createSampleApi(moduleFor({ ...config.resourceServer, ...extra }), config, ['error']);
  const host = config.host ?? '127.0.0.1';
  const port = await listenOnLoopback(app, host);
  const scheme = config.tls ? 'https' : 'http';
  return { app, port, url: `${scheme}://${host}:${port}`, close: () => app.close() };
}
