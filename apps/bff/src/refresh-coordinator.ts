import type { Redis } from 'ioredis';
import type { TokenSet } from './token-set.js';

const LOCK_MS = 10_000;

/**
 * One refresh per session at a time. In this process, concurrent requests of one session
 * share the refresh in flight; across replicas (Redis), a lock per session lets one refresh
 * while the others wait for the session to carry the new tokens. Refresh tokens rotate, so two
 * refreshes with the same refresh token would make the authorization server revoke the grant.
 */
export class RefreshCoordinator {
  private readonly inFlight = new Map<string, Promise<TokenSet>>();

  constructor(private readonly redis?: Redis) {}

  /**
   * @param refresh performs the grant and stores the result in the session store.
   * @param reload reads the session's tokens from the store again (for the replicas that waited).
   */
  run(
    sessionId: string,
    current: TokenSet,
    refresh: () => Promise<TokenSet>,
    reload: () => Promise<TokenSet | undefined>,
  ): Promise<TokenSet> {
    let pending = this.inFlight.get(sessionId);
    if (!pending) {
      pending = this.acrossReplicas(sessionId, current, refresh, reload).finally(() => this.inFlight.delete(sessionId));
      this.inFlight.set(sessionId, pending);
    }
    return pending;
  }

  private async acrossReplicas(
    sessionId: string,
    current: TokenSet,
    refresh: () => Promise<TokenSet>,
    reload: () => Promise<TokenSet | undefined>,
  ): Promise<TokenSet> {
    if (!this.redis) return refresh();
    const lock = `bff:refresh-lock:${sessionId}`;
    if ((await this.redis.set(lock, '1', 'PX', LOCK_MS, 'NX')) === 'OK') {
      try {
        return await refresh();
      } finally {
        await this.redis.del(lock);
      }
    }
    // another replica is refreshing this session: wait for its tokens to land in the store
    const deadline = Date.now() + LOCK_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tokens = await reload();
      if (tokens && tokens.accessToken !== current.accessToken) return tokens;
    }
    throw new Error('refresh by another replica did not finish');
  }
}
