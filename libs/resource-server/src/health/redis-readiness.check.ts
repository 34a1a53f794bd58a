import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ReadinessCheck, ReadinessReport } from './readiness-check.js';

/** Something that can tell whether its Redis answers, such as the Redis introspection cache. */
export interface RedisReachability {
  reachable(timeoutMs?: number): Promise<boolean>;
}

/**
 * Readiness of a Redis: reported `ready` while it answers a `PING` within `timeoutMs`. It asks
 * the given client (one the module already holds), or connects once to `url` on first use
 * (ioredis loads only then) and keeps reconnecting in the background, so an app whose Redis is
 * down starts and reports ready again, without a restart, once Redis is back.
 */
export class RedisReadinessCheck implements ReadinessCheck {
  readonly name = 'redis';
  private own?: Promise<Redis>;

  constructor(
    private readonly target: { readonly client: RedisReachability } | { readonly url: string },
    private readonly timeoutMs = 1_000,
  ) {}

  async check(): Promise<ReadinessReport> {
    const client = 'client' in this.target ? this.target.client : await this.connected(this.target.url);
    return { ready: await client.reachable(this.timeoutMs) };
  }

  async close(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    if (own) (await own).disconnect();
  }

  private async connected(url: string): Promise<RedisReachability> {
    if (!this.own) {
      this.own = import('ioredis').then(({ Redis }) => {
        const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
        redis.on('error', () => undefined); // a down Redis is reported by check(), not thrown
        return redis;
      });
      const redis = await this.own;
      // the first probe waits (within the time limit) for the first connection
      await Promise.race([redis.connect().catch(() => undefined), delay(this.timeoutMs, undefined, { ref: false })]);
    }
    const redis = await this.own;
    return { reachable: (timeoutMs) => ping(redis, timeoutMs ?? this.timeoutMs) };
  }
}

/** True when `redis` is connected and answers `PING` within `timeoutMs`; never throws. */
async function ping(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  const timeout = new AbortController();
  try {
    return await Promise.race([
      redis.ping().then((answer) => answer === 'PONG'),
      delay(timeoutMs, false, { signal: timeout.signal }),
    ]);
  } catch {
    return false;
  } finally {
    timeout.abort();
  }
}
