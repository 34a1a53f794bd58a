import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { WebConfig } from './web-config.js';
import { WebModule } from './web.module.js';

/** A running web app. */
export interface RunningWeb {
  /** Where it listens (its public origin is `config.origin`). */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the web app; `main.ts` and in-process tests both use this. */
export async function startWeb(config: WebConfig, logger?: LogLevel[] | false): Promise<RunningWeb> {
  const app = await NestFactory.create<NestExpressApplication>(WebModule.forRoot(config), {
    bodyParser: false, // no route reads a body
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  app.disable('x-powered-by');
  app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on the
    // page's own POSTs, and /refresh and /logout check Origin
    response.setHeader('referrer-policy', 'same-origin');
    response.setHeader('x-content-type-options', 'nosniff');
    next();
  });
  app.enableShutdownHooks();
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
  const address = app.getHttpServer().address() as { port: number };
  return { url: `http://${config.host ?? 'localhost'}:${address.port}`, close: () => app.close() };
}
