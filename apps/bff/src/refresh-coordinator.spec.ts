import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { RefreshCoordinator } from './refresh-coordinator.js';
import type { TokenSet } from './token-set.js';

const tokens = (accessToken: string): TokenSet => ({ accessToken, refreshToken: `rt-${accessToken}`, expiresAt: 0 });

/** A refresh that resolves when told to, counting its calls. */
function controlledRefresh(result: TokenSet) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const state = { calls: 0 };
  const refresh = async () => {
    state.calls++;
    await gate;
    return result;
  };
  return { refresh, release, state };
}

describe('RefreshCoordinator', () => {
  describe('run in one process', () => {
    it('shares one refresh among concurrent callers of a session', async () => {
      const coordinator = new RefreshCoordinator();
      const { refresh, release, state } = controlledRefresh(tokens('new'));
      const results = Array.from({ length: 10 }, () =>
        coordinator.run('s1', tokens('old'), refresh, async () => undefined),
      );
      release();
      expect((await Promise.all(results)).map((t) => t.accessToken)).toEqual(Array(10).fill('new'));
      expect(state.calls).toBe(1);
    });

    it('refreshes each session on its own', async () => {
      const coordinator = new RefreshCoordinator();
      const a = controlledRefresh(tokens('a'));
      const b = controlledRefresh(tokens('b'));
      const results = [
        coordinator.run('s1', tokens('old'), a.refresh, async () => undefined),
        coordinator.run('s2', tokens('old'), b.refresh, async () => undefined),
      ];
      a.release();
      b.release();
      expect((await Promise.all(results)).map((t) => t.accessToken)).toEqual(['a', 'b']);
    });

    it('refreshes again after a finished refresh', async () => {
      const coordinator = new RefreshCoordinator();
      let calls = 0;
      const refresh = async () => tokens(`t${++calls}`);
      await coordinator.run('s1', tokens('old'), refresh, async () => undefined);
      await coordinator.run('s1', tokens('t1'), refresh, async () => undefined);
      expect(calls).toBe(2);
    });
  });

  /** Redis on loopback (what `.ci/run` starts), unless REDIS_URL names another; lock keys are per-run. */
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  describe('run across replicas sharing Redis', () => {
    it('lets one replica refresh while the other waits for the stored tokens', async () => {
      const [redisA, redisB] = [new Redis(redisUrl), new Redis(redisUrl)];
      try {
        const session = `spec-${Math.random()}`;
        const first = new RefreshCoordinator(redisA);
        const second = new RefreshCoordinator(redisB);
        let stored: TokenSet | undefined;
        const a = controlledRefresh(tokens('fresh'));
        const b = controlledRefresh(tokens('second-refresh'));
        const fromA = first.run(
          session,
          tokens('old'),
          async () => (stored = await a.refresh()),
          async () => stored,
        );
        // B starts once A holds the lock (an observed fact, not a guessed delay)
        while ((await redisB.exists(`bff:refresh-lock:${session}`)) === 0)
          await new Promise((resolve) => setTimeout(resolve, 10));
        const fromB = second.run(session, tokens('old'), b.refresh, async () => stored);
        a.release();
        b.release();
        expect((await fromA).accessToken).toBe('fresh');
        expect((await fromB).accessToken).toBe('fresh');
        expect([a.state.calls, b.state.calls]).toEqual([1, 0]);
        expect(await redisA.exists(`bff:refresh-lock:${session}`)).toBe(0);
      } finally {
        redisA.disconnect();
        redisB.disconnect();
      }
    });
  });
});
