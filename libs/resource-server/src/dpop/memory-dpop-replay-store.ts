import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import type { DpopReplayStore } from './dpop-replay-store.js';

/** How often, at most, a full store looks through every entry for expired ones. */
const FULL_SWEEP_INTERVAL_MS = 1_000;

/**
 * Seen proofs in this process's memory, each kept until its window ends, at most `maxEntries`
 * of them: enough for one instance. A proof is never forgotten while it could still be
 * accepted (an LRU would forget the oldest live ones under a flood, and let their replays
 * in): a store full of live proofs refuses new ones with a 503 (`dpop_store_full`) until some
 * expire, as the Redis store does when Redis is down. So it holds `maxEntries` ÷ window
 * (100,000 ÷ 360 s ≈ 277 proofs per second for the defaults) at a steady rate; replicas, or a
 * higher rate, need the Redis store (or `dpopNonce`, whose nonces shorten the window).
 */
export class MemoryDpopReplayStore implements DpopReplayStore {
  // id → when it may be forgotten (ms since the epoch); a Map iterates in insertion order,
  // which is nearly expiry order (every window is about as long)
  private readonly seen = new Map<string, number>();
  private lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  claim(id: string, ttlMs: number): boolean {
    const now = this.clock();
    const until = this.seen.get(id);
    if (until !== undefined) {
      if (until > now) return false;
      this.seen.delete(id);
    }
    this.forgetExpired(now);
    if (this.seen.size >= this.maxEntries) {
      throw new AuthorizationServerUnavailableError(
        `DPoP replay store full: ${this.maxEntries} proofs within their window`,
        'dpop_store_full',
      );
    }
    this.seen.set(id, now + Math.max(1, Math.ceil(ttlMs)));
    return true;
  }

  /** Drops expired entries from the front; when still full, looks through all (at most once a second). */
  private forgetExpired(now: number): void {
    for (const [id, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(id);
    }
    if (this.seen.size < this.maxEntries || now - this.lastFullSweep < FULL_SWEEP_INTERVAL_MS) return;
    this.lastFullSweep = now;
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
  }
}
