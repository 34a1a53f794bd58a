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
  describe('introspectCached', () => {
    it('answers at once with a result the memory cache holds', async () => {
      let now = START;
      const { inner, calls } = endpoint();
      const caching = introspector(inner, new MemoryIntrospectionCache(10, () => now), () => now);
      expect(caching.introspectCached('t1')).toBeUndefined();
      await caching.introspect('t1');
      now += 30_000;
      expect(caching.introspectCached('t1')).toEqual({ active: true, sub: 'alice', exp: START / 1000 + 60 });
      expect(caching.introspectCached('t2')).toBeUndefined();
      expect(calls).toEqual(['t1']);
    });

    it("answers undefined once the token's exp is reached, though the entry still lives", async () => {
      let now = START;
      const { inner } = endpoint();
      const caching = introspector(inner, new MemoryIntrospectionCache(10, () => now), () => now);
      await caching.introspect('t1');
      now += 60_000;
      expect(caching.introspectCached('t1')).toBeUndefined();
    });

    it('answers undefined with a cache that cannot answer at once (Redis)', async () => {
      const entries = new Map<string, IntrospectionResponse>();
      const remote: IntrospectionCache = {
        get: async (key) => entries.get(key),
        set: async (key, value) => void entries.set(key, value),
      };
      const { inner, calls } = endpoint();
      const caching = introspector(inner, remote, () => START);
      await caching.introspect('t1');
      expect(caching.introspectCached('t1')).toBeUndefined();
      await caching.introspect('t1');
      expect(calls).toEqual(['t1']);
    });

    it('answers undefined without a cache', async () => {
      const { inner } = endpoint();
      const caching = introspector(inner, undefined, () => START);
      await caching.introspect('t1');
      expect(caching.introspectCached('t1')).toBeUndefined();
    });
  });
});
