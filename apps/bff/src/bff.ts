import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import RedisStore from 'connect-redis';
import session from 'express-session';
import type { Redis } from 'ioredis';
import type { ApiClient } from './api-client.js';
import type { BffConfig } from './bff-config.js';
import { BffModule } from './bff.module.js';
import { API_CLIENT } from './bff.tokens.js';

/** A running BFF. */
export interface RunningBff {
  readonly url: string;
  /** Refresh grants this instance made. */
  refreshes(): number;
  close(): Promise<void>;
}

/**
 * Starts the BFF: sessions in Redis when `redisUrl` is set (replicas share them), in memory
 * otherwise; the browser gets only the `bff.sid` cookie (HttpOnly, Secure, SameSite=Lax).
 */
export async function startBff(
  config: BffConfig,
  options: { logger?: LogLevel[] | false; clock?: () => number } = {},
): Promise<RunningBff> {
  const { logger, clock } = options;
  let redis: Redis | undefined;
  if (config.redisUrl) {
    const { Redis } = await import('ioredis');
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  }
  const app = await NestFactory.create<NestExpressApplication>(BffModule.forRoot(config, redis, clock), {
    abortOnError: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  app.disable('x-powered-by');
  const origin = new URL(config.origin);
  const devLocalhost =
    origin.protocol === 'http:' &&
    (['localhost', '127.0.0.1'].includes(origin.hostname) || origin.hostname.endsWith('.localhost')); // npm start: bff.demo.localhost
  if (devLocalhost) {
    // browsers accept Secure cookies from http://localhost; express-session sends them only on
    // "secure" requests, so in local development the BFF vouches for the loopback connection
    app.use((request: { headers: Record<string, string> }, _response: unknown, next: () => void) => {
      request.headers['x-forwarded-proto'] = 'https';
      next();
    });
  }
  app.use(
    session({
      name: 'bff.sid',
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      proxy: devLocalhost ? true : undefined,
      store: redis ? new RedisStore({ client: redis, prefix: 'bff:sess:' }) : undefined,
      cookie: { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 8 * 3600_000 },
    }),
  );
  app.enableShutdownHooks();
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
  const api = app.get<ApiClient>(API_CLIENT);
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://${config.host ?? 'localhost'}:${address.port}`,
    refreshes: () => api.refreshes,
    close: async () => {
      await app.close();
      redis?.disconnect();
    },
  };
}
