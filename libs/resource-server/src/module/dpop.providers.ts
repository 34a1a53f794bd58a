import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { SenderConstrainedTokenVerifier } from '../binding/sender-constrained-token.verifier.js';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import { DpopNonceInterceptor } from '../dpop/dpop-nonce.interceptor.js';
import { DpopNonces } from '../dpop/dpop-nonces.js';
import { DpopProofValidator } from '../dpop/dpop-proof.validator.js';
import { DpopReplayStore } from '../dpop/dpop-replay-store.js';
import { MemoryDpopReplayStore } from '../dpop/memory-dpop-replay-store.js';
import { RedisDpopStore } from '../dpop/redis-dpop-store.js';
import { DpopChallengePolicy } from '../errors/dpop-challenge.js';
import { ResourceServerMetrics } from '../telemetry/resource-server-metrics.js';
import { TokenVerifier, whenAnswered } from '../verification/token-verifier.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';

/** The verifier of the configured strategy (or the custom one), before the binding rule. @internal */
export const UNBOUND_TOKEN_VERIFIER = Symbol.for('nest-resource-server.unboundTokenVerifier');

/**
 * DPoP (RFC 9449) and the binding rule: the replay store (Redis when configured, else memory),
 * the nonces, the challenge policy of the error filter, the nonce interceptor, and the
 * {@link TokenVerifier} itself: every verifier, a custom one too, wrapped by the binding rule,
 * which holds whatever the DPoP mode (a `cnf` token is never downgraded to a bearer token).
 * @internal
 */
export const DPOP_PROVIDERS: Provider[] = [
  {
    provide: DpopReplayStore,
    inject: [RESOLVED_OPTIONS],
    useFactory: async ({ dpop, clock }: ResolvedOptions): Promise<DpopReplayStore | null> => {
      if (dpop.mode === 'off') return null;
      return dpop.redisUrl
        ? RedisDpopStore.connect(dpop.redisUrl, dpop.redisKeyPrefix)
        : new MemoryDpopReplayStore(100_000, clock);
    },
  },
  {
    provide: DpopNonces,
    inject: [RESOLVED_OPTIONS, DpopReplayStore],
    useFactory: async ({ dpop, clock }: ResolvedOptions, store: DpopReplayStore | null): Promise<DpopNonces | null> => {
      if (dpop.mode === 'off' || !dpop.nonce) return null;
      // loaded now so that every answer can carry a nonce at once; Redis down: loaded on first need
      if (store instanceof RedisDpopStore) await Promise.resolve(store.sharedSecret()).catch(() => undefined);
      // with Redis, every replica derives its nonces from the one secret kept there
      return store instanceof RedisDpopStore
        ? new DpopNonces(() => store.sharedSecret(), clock)
        : new DpopNonces(undefined, clock);
    },
  },
  {
    provide: TokenVerifier,
    inject: [RESOLVED_OPTIONS, UNBOUND_TOKEN_VERIFIER, DpopReplayStore, DpopNonces, ResourceServerMetrics],
    useFactory: (
      options: ResolvedOptions,
      inner: TokenVerifier,
      replays: DpopReplayStore | null,
      nonces: DpopNonces | null,
      metrics: ResourceServerMetrics,
    ): TokenVerifier => {
      const { dpop, clockToleranceSeconds, clock } = options;
      const proofs = new DpopProofValidator({ ...dpop, clockToleranceSeconds, clock });
      // a proof stays acceptable from iat - tolerance to iat + maxAge + tolerance
      const replayWindowMs = (dpop.maxAgeSeconds + 2 * clockToleranceSeconds) * 1000;
      return new SenderConstrainedTokenVerifier(
        inner,
        { dpop: dpop.mode, replayWindowMs },
        replays ? { proofs, replays: counted(replays, metrics), nonces: nonces ?? undefined } : undefined,
      );
    },
  },
  {
    provide: DpopChallengePolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: ({ dpop }: ResolvedOptions): DpopChallengePolicy | null =>
      dpop.mode === 'off' ? null : { mode: dpop.mode, algorithms: dpop.algorithms },
  },
  {
    // none at all unless nonces are on: Nest drops a global interceptor that is null, so the
    // routes of an app without DPoP nonces keep the interceptor-free path
    provide: APP_INTERCEPTOR,
    inject: [HttpAdapterHost, DpopNonces],
    useFactory: (host: HttpAdapterHost, nonces: DpopNonces | null) =>
      nonces ? new DpopNonceInterceptor(host, nonces) : null,
  },
];

/** The replay store, each replay it refuses counted in the metrics. */
function counted(store: DpopReplayStore, metrics: ResourceServerMetrics): DpopReplayStore {
  return {
    claim: (id, ttlMs) =>
      whenAnswered(store.claim(id, ttlMs), (fresh) => {
        if (!fresh) metrics.dpopReplayRefused();
        return fresh;
      }),
    close: () => store.close?.() ?? Promise.resolve(),
  };
}
