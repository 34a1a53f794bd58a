import { describe, expect, it } from '@jest/globals';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { MemoryDpopReplayStore } from './memory-dpop-replay-store.js';

describe('MemoryDpopReplayStore', () => {
  describe('claim', () => {
    it('answers true for a new id and false for the same id again within its time', () => {
      const store = new MemoryDpopReplayStore(10, () => 0);
      expect(store.claim('a', 1000)).toBe(true);
      expect(store.claim('a', 1000)).toBe(false);
      expect(store.claim('b', 1000)).toBe(true);
    });

    it('forgets an id once its time has passed', () => {
      const clock = { now: 1_000_000 };
      const store = new MemoryDpopReplayStore(10, () => clock.now);
      store.claim('a', 1000);
      clock.now += 999;
      expect(store.claim('a', 1000)).toBe(false);
      clock.now += 1001;
      expect(store.claim('a', 1000)).toBe(true);
    });

    it('holds at most maxEntries ids, and refuses (503) rather than forget one still in its window', () => {
      const clock = { now: 0 };
      const store = new MemoryDpopReplayStore(2, () => clock.now);
      expect(store.claim('a', 1000)).toBe(true);
      expect(store.claim('b', 1000)).toBe(true);
      let refused: unknown;
      try {
        store.claim('c', 1000);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(AuthorizationServerUnavailableError);
      expect(refused).toMatchObject({ status: 503, reason: 'dpop_store_full' });
      // the replay of the first proof, still within its window, is still refused
      expect(store.claim('a', 1000)).toBe(false);
      // once the first expire, room again
      clock.now = 1000;
      expect(store.claim('c', 1000)).toBe(true);
      expect(store.claim('c', 1000)).toBe(false);
    });

    it('under a flood of distinct proofs: bounded, and no replay within the window gets in', () => {
      const clock = { now: 0 };
      const store = new MemoryDpopReplayStore(1000, () => clock.now);
      let accepted = 0;
      let refused = 0;
      for (let i = 0; i < 5000; i++) {
        clock.now = i; // one proof a millisecond, each good for 2 s: twice what the store holds
        try {
          if (store.claim(`p${i}`, 2000)) accepted++;
        } catch {
          refused++;
        }
        if (i < 2000 && store.claim('p0', 2000)) throw new Error(`replay of p0 accepted at ${i} ms`);
      }
      expect(accepted + refused).toBe(5000);
      expect(refused).toBeGreaterThan(0);
    });

    it('finds expired entries behind a longer-lived one when full', () => {
      const clock = { now: 0 };
      const store = new MemoryDpopReplayStore(3, () => clock.now);
      store.claim('long', 10_000);
      store.claim('x', 100);
      store.claim('y', 100);
      clock.now = 200; // x and y expired, behind `long` in insertion order
      expect(store.claim('z', 100)).toBe(true);
      expect(store.claim('long', 10_000)).toBe(false);
    });
  });
});
