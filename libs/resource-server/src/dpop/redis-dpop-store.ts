import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import type { DpopReplayStore } from './dpop-replay-store.js';

/**
 * DPoP state in Redis (`ioredis`), shared by every replica: the seen proofs (`SET NX PX`, so
 * two replicas racing on one proof cannot both accept it) and the secret nonces are derived
 * from (created once by whichever replica comes first, `SET NX`). Fails closed: while Redis
 * cannot answer, a proof cannot be accepted (503), never waved through.
 */
export class RedisDpopStore implements DpopReplayStore {
  private secret?: Promise<Buffer>;
  private loaded?: Buffer;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * Connects, waiting at most `waitMs` for Redis, so that an unreachable Redis does not hold
   * the application's start (it keeps reconnecting in the background). ioredis loads only here.
   */
  static async connect(url: string, prefix: string, waitMs = 2_000): Promise<RedisDpopStore> {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', () => undefined); // reported per command; keep the process alive
    const ready = redis.connect().then(
      () => true,
      () => false,
    );
    const waited = new AbortController();
    const timer = delay(waitMs, false, { signal: waited.signal }).catch(() => false);
    if (!(await Promise.race([ready, timer]))) {
      new Logger('ResourceServer').warn('DPoP store: Redis not ready yet; DPoP requests answer 503 until it is');
    }
    waited.abort();
    return new RedisDpopStore(redis, prefix);
  }

  async claim(id: string, ttlMs: number): Promise<boolean> {
    try {
      const set = await this.redis.set(`${this.prefix}jti:${id}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return set === 'OK';
    } catch (error) {
      throw new AuthorizationServerUnavailableError('DPoP replay store (Redis) unavailable', 'dpop_store_unavailable', {
        cause: error,
      });
    }
  }

  /**
   * The nonce secret every replica shares: read from Redis, or created there by the first
   * replica; once loaded, answered at once (no promise per request).
   */
  sharedSecret(): Buffer | Promise<Buffer> {
    if (this.loaded) return this.loaded;
    this.secret ??= this.loadSecret().then(
      (secret) => (this.loaded = secret),
      (error: unknown) => {
        this.secret = undefined; // try again on the next request
        throw new AuthorizationServerUnavailableError(
          'DPoP nonce secret (Redis) unavailable',
          'dpop_store_unavailable',
          { cause: error },
        );
      },
    );
    return this.secret;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** Nest calls this on `app.close()`. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async loadSecret(): Promise<Buffer> {
    const key = `${this.prefix}nonce-secret`;
    await this.redis.set(key, randomBytes(32).toString('base64url'), 'NX');
    const secret = await this.redis.get(key);
    if (secret === null) throw new Error('nonce secret vanished');
    return Buffer.from(secret, 'base64url');
  }
}
