import { LRUCache } from 'lru-cache';
import type { IntrospectionCache } from './introspection-cache.js';
import type { IntrospectionResponse } from './token-introspector.js';

/** A bounded LRU in this process (`lru-cache`), each entry with its own TTL. */
export class MemoryIntrospectionCache implements IntrospectionCache {
  private readonly entries: LRUCache<string, IntrospectionResponse>;

  /** @param clock milliseconds since the epoch, so tests set time instead of waiting. */
  constructor(maxEntries: number, clock: () => number) {
    // ttlResolution 0: the clock is read on every lookup, so an entry never outlives the token's exp
    this.entries = new LRUCache({ max: maxEntries, ttlAutopurge: false, ttlResolution: 0, perf: { now: clock } });
  }

  get(key: string): IntrospectionResponse | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: IntrospectionResponse, ttlSeconds: number): void {
    this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
  }

  /** Entries held now (at most `maxEntries`). */
  get size(): number {
    return this.entries.size;
  }
}
