import { describe, expect, it } from '@jest/globals';
import { CachingTokenIntrospector } from './caching-token-introspector.js';
import type { IntrospectionCache } from './introspection-cache.js';
import { MemoryIntrospectionCache } from './memory-introspection-cache.js';
import type { IntrospectionResponse, TokenIntrospector } from './token-introspector.js';

const START = Date.UTC(2026, 0, 1);

/** An introspector answering `active` with `exp` 60 s after START, counting its calls. */
function endpoint() {
  const calls: string[] = [];
  const inner: TokenIntrospector = {
    async introspect(token) {
      calls.push(token);
      return { active: true, sub: 'alice', exp: START / 1000 + 60 };
    },
  };
  return { inner, calls };
}

function introspector(inner: TokenIntrospector, cache: IntrospectionCache | undefined, clock: () => number) {
  return new CachingTokenIntrospector(inner, cache, { cacheTtlSeconds: 300, inactiveCacheTtlSeconds: 5, clock });
}

describe('CachingTokenIntrospector', () => {
  describe('introspect', () => {
    it('answers at once, without a promise, with a result the memory cache holds', async () => {
      let now = START;
      const { inner, calls } = endpoint();
      const caching = introspector(inner, new MemoryIntrospectionCache(10, () => now), () => now);
      expect(caching.introspect('t1')).toBeInstanceOf(Promise);
      await caching.introspect('t1');
      now += 30_000;
      const hit = caching.introspect('t1');
      expect(hit).not.toBeInstanceOf(Promise);
      expect(hit).toEqual({ active: true, sub: 'alice', exp: START / 1000 + 60 });
      expect(calls).toEqual(['t1']);
    });

    it("asks the endpoint again once the token's exp is past", async () => {
      let now = START;
      const { inner, calls } = endpoint();
      const caching = introspector(inner, new MemoryIntrospectionCache(10, () => now), () => now);
      await caching.introspect('t1');
      now += 59_999;
      await caching.introspect('t1');
      expect(calls).toEqual(['t1']);
      now += 2;
      await caching.introspect('t1');
      expect(calls).toEqual(['t1', 't1']);
    });

    it('answers with a promise from a cache that cannot answer at once (Redis), asking the endpoint once', async () => {
      const entries = new Map<string, IntrospectionResponse>();
      const remote: IntrospectionCache = {
        get: async (key) => entries.get(key),
        set: async (key, value) => void entries.set(key, value),
      };
      const { inner, calls } = endpoint();
      const caching = introspector(inner, remote, () => START);
      await caching.introspect('t1');
      const second = caching.introspect('t1');
      expect(second).toBeInstanceOf(Promise);
      await expect(second).resolves.toMatchObject({ active: true, sub: 'alice' });
      expect(calls).toEqual(['t1']);
    });

    it('shares one call between concurrent requests without a cache', async () => {
      const { inner, calls } = endpoint();
      const caching = introspector(inner, undefined, () => START);
      await Promise.all([caching.introspect('t1'), caching.introspect('t1'), caching.introspect('t2')]);
      expect(calls).toEqual(['t1', 't2']);
      await caching.introspect('t1');
      expect(calls).toEqual(['t1', 't2', 't1']);
    });
  });
});

describe('CachingTokenIntrospector (what readiness reads)', () => {
  /** An endpoint that fails while `down`, recording the tokens it was asked about. */
  function flaky() {
    const state = { down: false, tokens: [] as string[] };
    const inner: TokenIntrospector = {
      async introspect(token) {
        state.tokens.push(token);
        if (state.down) throw Object.assign(new Error('refused'), { reason: 'introspection_unreachable' });
        return { active: false };
      },
    };
    return { inner, state };
  }

  describe('lastCall', () => {
    it('says nothing was called before the first call, then whether the last call failed and why', async () => {
      const { inner, state } = flaky();
      const caching = introspector(inner, undefined, () => START);
      expect(caching.lastCall()).toEqual({ called: false, failed: false });
      await caching.introspect('t1');
      expect(caching.lastCall()).toEqual({ called: true, failed: false, at: START });
      state.down = true;
      await expect(caching.introspect('t2')).rejects.toThrow('refused');
      expect(caching.lastCall()).toEqual({
        called: true,
        failed: true,
        at: START,
        reason: 'introspection_unreachable',
      });
    });

    it('is not changed by a cache hit', async () => {
      const { inner, state } = flaky();
      const caching = introspector(inner, new MemoryIntrospectionCache(10, () => START), () => START);
      await caching.introspect('t1'); // inactive: kept 5 s
      state.down = true;
      await caching.introspect('t1');
      expect(caching.lastCall().failed).toBe(false);
      expect(state.tokens).toEqual(['t1']);
    });
  });

  describe('recheck', () => {
    it('asks about a random placeholder, never cached, and records the outcome', async () => {
      const { inner, state } = flaky();
      const cache = new MemoryIntrospectionCache(10, () => START);
      const caching = introspector(inner, cache, () => START);
      state.down = true;
      expect(await caching.recheck()).toMatchObject({ failed: true, reason: 'introspection_unreachable' });
      state.down = false;
      expect(await caching.recheck()).toEqual({ called: true, failed: false, at: START });
      expect(state.tokens).toHaveLength(2);
      expect(state.tokens[0]).toMatch(/^readiness-probe\.[A-Za-z0-9_-]{22}$/);
      expect(state.tokens[0]).not.toBe(state.tokens[1]);
    });
  });
});
