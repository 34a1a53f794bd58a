import { ServerResponse, type IncomingMessage } from 'node:http';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import RedisStore from 'connect-redis';
import session from 'express-session';
import type { Redis } from 'ioredis';
import type { BffConfig } from './bff-config.js';
import { BffModule } from './bff.module.js';
import { LIVE_RELAY, SESSION_TOKENS } from './bff.tokens.js';
import { dpopKeyPair, dpopKeyThumbprint } from './dpop-key.js';
import { jsonBody } from './json-body.js';
import type { LiveRelay, SessionLoader } from './live-relay.js';
import { originCheck } from './origin-check.middleware.js';
import { SESSION_COOKIE } from './session.js';
import { loginRequired, sessionGate } from './session-gate.js';
import { createSessionRedis, firstConnectionAttempt, sessionStoreHealth } from './session-store.js';
import { securityHeaders } from './security-headers.js';
import type { SessionTokens } from './session-tokens.js';

/** The routes that read or write the session; the page, its files and health never load one. */
const SESSION_ROUTES = ['/login', '/callback', '/session', '/logout', '/api'];

/** A running BFF. */
export interface RunningBff {
  readonly url: string;
  /** Refresh grants this instance made. */
  refreshes(): number;
  close(): Promise<void>;
}

/**
 * Starts the BFF: sessions in Redis when `redisUrl` is set (replicas share them), in memory
 * otherwise; the browser gets only the `__Host-bff.sid` cookie (HttpOnly, Secure, SameSite=Lax).
 * Every request passes, in this order: the security headers, the Origin check (state-changing
 * requests), the session (503 at once while Redis is unreachable), a logged-in session for
 * `/api/*`, and only then a small JSON body parser, so nothing unauthenticated or cross-origin
 * is ever parsed. WebSocket upgrades go to the live relay (`/live`), which checks the Origin and
 * the session (the same express-session) before it accepts one.
 */
export async function startBff(
  config: BffConfig,
  options: { logger?: LogLevel[] | LoggerService | false; clock?: () => number } = {},
): Promise<RunningBff> {
  const { logger, clock } = options;
  const redis: Redis | undefined = config.redisUrl ? await createSessionRedis(config.redisUrl) : undefined;
  const dpop = config.dpopKey
    ? { keyPair: await dpopKeyPair(config.dpopKey), jkt: dpopKeyThumbprint(config.dpopKey) }
    : undefined;
  const app = await NestFactory.create<NestExpressApplication>(BffModule.forRoot(config, redis, clock, dpop), {
    abortOnError: false,
    bodyParser: false,
    ...(logger !== undefined ? { logger } : {}),
  });
  app.disable('x-powered-by');
  app.use(securityHeaders(config));
  const origin = new URL(config.origin);
  const devLocalhost =
    origin.protocol === 'http:' &&
    (['localhost', '127.0.0.1'].includes(origin.hostname) || origin.hostname.endsWith('.localhost')); // npm start: bff.demo.localhost
  if (devLocalhost) {
    // browsers accept Secure cookies from http://localhost and *.localhost; express-session sends
    // them only on "secure" requests, so in local development the BFF vouches for the connection
    app.use((request: { headers: Record<string, string> }, _response: unknown, next: () => void) => {
      request.headers['x-forwarded-proto'] = 'https';
      next();
    });
  }
  app.use(originCheck(config.origin));
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    proxy: devLocalhost ? true : undefined,
    store: redis ? new RedisStore({ client: redis, prefix: 'bff:sess:' }) : undefined,
    cookie: { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 8 * 3600_000 },
  });
  app.use(SESSION_ROUTES, sessionGate(sessions, sessionStoreHealth(redis)));
  app.use('/api', loginRequired(), jsonBody());
  const store = sessionStoreHealth(redis);
  // express-session on an upgrade request: no response is ever sent through it, nor a cookie set
  const loadSession: SessionLoader = (request: IncomingMessage) =>
    new Promise((resolve) => {
      if (!store.isAvailable()) return resolve('unavailable');
      sessions(request as never, new ServerResponse(request) as never, (error?: unknown) =>
        resolve(error ? 'unavailable' : 'loaded'),
      );
    });
  app.get<LiveRelay>(LIVE_RELAY).attach(app.getHttpServer(), loadSession);
  app.enableShutdownHooks();
  // after create, so an outage at start-up is logged through the app's logger
  if (redis) await firstConnectionAttempt(redis);
  await (config.host ? app.listen(config.port, config.host) : app.listen(config.port));
  const tokens = app.get<SessionTokens>(SESSION_TOKENS);
  const address = app.getHttpServer().address() as { port: number };
  return {
    url: `http://${config.host ?? 'localhost'}:${address.port}`,
    refreshes: () => tokens.refreshes,
    close: async () => {
      await app.close();
      redis?.disconnect();
    },
  };
}
