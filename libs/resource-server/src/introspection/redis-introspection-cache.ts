import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { IntrospectionCache } from './introspection-cache.js';
import type { IntrospectionResponse } from './token-introspector.js';

const PREFIX = 'nest-resource-server:introspection:';

/**
 * Introspection results in Redis (`ioredis`), shared by every replica; Redis expires each
 * entry. A Redis failure is a cache miss, never a rejected request: the introspection
 * endpoint is still asked.
 */
export class RedisIntrospectionCache implements IntrospectionCache {
  private readonly logger = new Logger('ResourceServer');

  private constructor(private readonly redis: Redis) {}

  /**
   * Connects, waiting at most `waitMs` for Redis to be ready so that the first requests
   * already share results; an unreachable Redis does not hold the application's start (it
   * keeps reconnecting in the background). ioredis loads only here, when a URL is configured.
   */
  static async connect(url: string, waitMs = 2_000): Promise<RedisIntrospectionCache> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', () => undefined); // reported per command below; keep the process alive
    const ready = redis.connect().then(
      () => true,
      () => false,
    );
    const waited = new AbortController();
    const timer = delay(waitMs, false, { signal: waited.signal }).catch(() => false);
    const isReady = await Promise.race([ready, timer]);
    waited.abort();
    if (!isReady) {
      new Logger('ResourceServer').warn('introspection cache: Redis not ready yet; every lookup misses until it is');
    }
    return new RedisIntrospectionCache(redis);
  }

  async get(key: string): Promise<IntrospectionResponse | undefined> {
    try {
      const value = await this.redis.get(PREFIX + key);
      this.succeeded();
      return value === null ? undefined : (JSON.parse(value) as IntrospectionResponse);
    } catch (error) {
      this.failed('read', error);
      return undefined;
    }
  }

  async set(key: string, value: IntrospectionResponse, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(PREFIX + key, JSON.stringify(value), 'PX', Math.max(1, Math.floor(ttlSeconds * 1000)));
      this.succeeded();
    } catch (error) {
      this.failed('write', error);
    }
  }

  /**
   * True when Redis answers a `PING` within `timeoutMs` (for readiness). Never throws; while
   * the client is reconnecting the answer is false at once, without a command.
   */
  async reachable(timeoutMs = 1_000): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    const timeout = new AbortController();
    try {
      return await Promise.race([
        this.redis.ping().then((answer) => answer === 'PONG'),
        delay(timeoutMs, false, { signal: timeout.signal }),
      ]);
    } catch {
      return false;
    } finally {
      timeout.abort();
    }
  }

  // one warning when an outage starts and one line when it ends, not one per request
  private failing = false;

  private failed(what: 'read' | 'write', error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `introspection cache ${what} failed (${(error as Error).message}); calling the introspection endpoint until Redis answers again`,
    );
  }

  private succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('introspection cache: Redis answers again');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
