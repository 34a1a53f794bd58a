import { LRUCache } from 'lru-cache';
import type { DpopReplayStore } from './dpop-replay-store.js';

/**
 * Seen proofs in this process's memory, bounded by an LRU (`maxEntries`): enough for one
 * instance. Should more proofs arrive within one window than it holds, the oldest are
 * forgotten early; replicas, or a higher rate, need the Redis store.
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  private readonly seen: LRUCache<string, true>;

  constructor(maxEntries = 100_000, clock: () => number = Date.now) {
    this.seen = new LRUCache({ max: maxEntries, ttlAutopurge: false, ttlResolution: 0, perf: { now: clock } });
  }

  claim(id: string, ttlMs: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.set(id, true, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    return true;
  }
}
