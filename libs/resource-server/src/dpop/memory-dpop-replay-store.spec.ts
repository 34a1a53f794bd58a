import { describe, expect, it } from '@jest/globals';
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

    it('holds at most maxEntries ids', () => {
      const store = new MemoryDpopReplayStore(2, () => 0);
      for (const id of ['a', 'b', 'c']) store.claim(id, 1000);
      expect(store.claim('c', 1000)).toBe(false);
      expect(store.claim('a', 1000)).toBe(true);
    });
  });
});
