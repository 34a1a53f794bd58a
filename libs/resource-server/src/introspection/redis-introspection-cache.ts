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

  /** Connects lazily; ioredis loads only here, when a Redis URL is configured. */
  static async connect(url: string): Promise<RedisIntrospectionCache> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', () => undefined); // reported per command below; keep the process alive
    redis.connect().catch(() => undefined);
    return new RedisIntrospectionCache(redis);
  }

  async get(key: string): Promise<IntrospectionResponse | undefined> {
    try {
      const value = await this.redis.get(PREFIX + key);
      return value === null ? undefined : (JSON.parse(value) as IntrospectionResponse);
    } catch (error) {
      this.logger.warn(`introspection cache read failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  async set(key: string, value: IntrospectionResponse, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(PREFIX + key, JSON.stringify(value), 'PX', Math.max(1, Math.floor(ttlSeconds * 1000)));
    } catch (error) {
      this.logger.warn(`introspection cache write failed: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
