import { describe, expect, it } from '@jest/globals';
import { SlidingWindowLimiter } from './sliding-window-limiter.js';

const WINDOW_MS = 60_000;
const START = 1_700_000_000_000;

function limiterAt(limit = 10) {
  const clock = { now: START };
  const limiter = new SlidingWindowLimiter(limit, WINDOW_MS, () => clock.now);
  return { clock, limiter };
}

/** Deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('SlidingWindowLimiter', () => {
  describe('tryAcquire', () => {
    it('allows 10 events at once, then refuses the 11th', () => {
      const { limiter } = limiterAt();
      const answers = Array.from({ length: 11 }, () => limiter.tryAcquire());
      expect(answers).toEqual([...Array<boolean>(10).fill(true), false]);
    });

    it('keeps refusing while the window is full', () => {
      const { clock, limiter } = limiterAt();
      for (let i = 0; i < 10; i++) limiter.tryAcquire();
      for (const offset of [1, 30_000, 59_000, 59_999]) {
        clock.now = START + offset;
        expect(limiter.tryAcquire()).toBe(false);
      }
    });

    it('still refuses at 59.999 s', () => {
      const { clock, limiter } = limiterAt();
      for (let i = 0; i < 10; i++) limiter.tryAcquire();
      clock.now = START + 59_999;
      expect(limiter.tryAcquire()).toBe(false);
    });

    it('allows again exactly when the first event leaves the window', () => {
      const { clock, limiter } = limiterAt();
      for (let i = 0; i < 10; i++) {
        clock.now = START + i * 1000;
        expect(limiter.tryAcquire()).toBe(true);
      }
      clock.now = START + WINDOW_MS - 1;
      expect(limiter.tryAcquire()).toBe(false);
      clock.now = START + WINDOW_MS;
      expect(limiter.tryAcquire()).toBe(true);
      // only the first left; the second leaves at 61 s
      expect(limiter.tryAcquire()).toBe(false);
      clock.now = START + WINDOW_MS + 1000;
      expect(limiter.tryAcquire()).toBe(true);
      expect(limiter.tryAcquire()).toBe(false);
    });

    it('frees the whole window once it has passed', () => {
      const { clock, limiter } = limiterAt();
      for (let i = 0; i < 10; i++) limiter.tryAcquire();
      clock.now = START + WINDOW_MS;
      const answers = Array.from({ length: 11 }, () => limiter.tryAcquire());
      expect(answers).toEqual([...Array<boolean>(10).fill(true), false]);
    });

    it('does not count refused attempts', () => {
      const { clock, limiter } = limiterAt(1);
      expect(limiter.tryAcquire()).toBe(true);
      clock.now = START + 59_000;
      expect(limiter.tryAcquire()).toBe(false);
      clock.now = START + WINDOW_MS;
      expect(limiter.tryAcquire()).toBe(true);
    });

    it('never allows more than the limit in any window over a long random sequence', () => {
      const next = random(20_240_601);
      const { clock, limiter } = limiterAt();
      const allowed: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        // bursts, pauses and everything in between, sometimes several calls in the same millisecond
        const r = next();
        clock.now += r < 0.3 ? 0 : r < 0.9 ? Math.floor(next() * 2_000) : Math.floor(next() * 70_000);
        if (limiter.tryAcquire()) allowed.push(clock.now);
      }

      let worst = 0;
      let first = 0;
      for (let last = 0; last < allowed.length; last++) {
        while (allowed[last]! - allowed[first]! >= WINDOW_MS) first++;
        worst = Math.max(worst, last - first + 1);
      }
      expect(worst).toBe(10);
      // and the limiter is not needlessly strict: many events were let through
      expect(allowed.length).toBeGreaterThan(1_000);
    });

    it('allows whenever fewer than the limit fall in the last window', () => {
      const next = random(7);
      const { clock, limiter } = limiterAt(3);
      const allowed: number[] = [];
      for (let i = 0; i < 5_000; i++) {
        clock.now += Math.floor(next() * 40_000);
        const inWindow = allowed.filter((t) => t > clock.now - WINDOW_MS).length;
        const answer = limiter.tryAcquire();
        expect(answer).toBe(inWindow < 3);
        if (answer) allowed.push(clock.now);
      }
    });
  });
});
