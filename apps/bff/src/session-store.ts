import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** How long a connection attempt to Redis may take before it counts as failed. */
export const REDIS_CONNECT_TIMEOUT_MS = 1_000;
/** How long one Redis command may take (a hung Redis must not hold a request for long). */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;

/** Whether the session store can serve a request now, and why not. */
export interface SessionStoreHealth {
  /** `redis` or `memory`. */
  readonly kind: 'redis' | 'memory';
  /** True when a request needing its session can be served now (no waiting on a reconnect). */
  isAvailable(): boolean;
  /** Asks the store itself (Redis `PING`, bounded by the command timeout); resolves the failure, never throws. */
  probe(): Promise<{ up: true } | { up: false; message: string }>;
}

/**
 * The Redis client of the session store, made to fail fast: a connect timeout, no offline queue
 * (a command while Redis is down fails at once instead of waiting for a reconnect), a command
 * timeout, endless reconnects with a capped back-off, and an `error` handler that logs one line
 * when Redis goes away and one when it is back (ioredis would otherwise report every failed
 * reconnect as an unhandled `error` event).
 */
export async function createSessionRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const logger = new Logger('Bff');
  const redis = new Redis(url, {
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // connected by firstConnectionAttempt(), once the app's logger is in place
    lazyConnect: true,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    // the message names the address (ECONNREFUSED 127.0.0.1:6379), never the URL's password
    logger.warn(`session store (Redis) unreachable: ${error.message}; answering 503 until it is back`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log('session store (Redis) is back');
  });
  return redis;
}

/**
 * Connects the client and waits for the first attempt to end, either way (ready, an error, or the
 * connect timeout), so a BFF whose Redis answers is ready the moment it starts listening, and
 * one whose Redis is down still starts (answering 503 on session routes until it is back).
 */
export function firstConnectionAttempt(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    // a failure is the error event's to log; the client keeps reconnecting on its own
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, REDIS_CONNECT_TIMEOUT_MS + 500);
    redis.once('ready', done);
    redis.once('error', done);
  });
}

/** The health of a Redis session store (`redis`) or of the in-process memory store (always up). */
export function sessionStoreHealth(redis?: Redis): SessionStoreHealth {
  if (!redis) return { kind: 'memory', isAvailable: () => true, probe: () => Promise.resolve({ up: true }) };
  return {
    kind: 'redis',
    isAvailable: () => redis.status === 'ready',
    probe: async () => {
      if (redis.status !== 'ready') return { up: false, message: `redis ${redis.status}` };
      try {
        await redis.ping();
        return { up: true };
      } catch (error) {
        return { up: false, message: (error as Error).message };
      }
    },
  };
}
