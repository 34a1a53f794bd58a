import { hash, randomBytes } from 'node:crypto';
import { whenAnswered } from '../verification/token-verifier.js';
import type { IntrospectionCache } from './introspection-cache.js';
import type { IntrospectionResponse, TokenIntrospector } from './token-introspector.js';

/** How the last call to the introspection endpoint went. */
export interface IntrospectionCallStatus {
  /** False until the first call. */
  readonly called: boolean;
  /** True when the last call failed (unreachable, an error status, garbage): the server's fault. */
  readonly failed: boolean;
  /** When it ended, in milliseconds since the epoch. */
  readonly at?: number;
  /** The failure's code, such as `introspection_unreachable`. */
  readonly reason?: string;
}

/** How long results may be reused. */
export interface IntrospectionCachePolicy {
  /** Seconds an active result may be reused, never past its `exp`; 0: no cache. */
  readonly cacheTtlSeconds: number;
  /** Seconds an inactive result may be reused. */
  readonly inactiveCacheTtlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Told of each call to the inner introspector (the module counts them in the metrics). */
  readonly onCall?: (outcome: 'active' | 'inactive' | 'failed') => void;
  /** Told of each cache lookup, hit or miss (only when there is a cache). */
  readonly onLookup?: (hit: boolean) => void;
}

/**
 * Wraps a {@link TokenIntrospector}: concurrent requests carrying the same token share
 * one call (single flight), and, when a TTL is set, results are kept in an
 * {@link IntrospectionCache} keyed by the token's SHA-256 (computed once per call), never
 * past the token's `exp`. A hit in a memory cache is answered at once, without a promise.
 * Time is not judged here: the verifier checks `exp` of every answer, cached or not.
 */
export class CachingTokenIntrospector implements TokenIntrospector {
  private readonly inFlight = new Map<string, Promise<IntrospectionResponse>>();
  private lastOutcome: IntrospectionCallStatus = { called: false, failed: false };

  constructor(
    private readonly inner: TokenIntrospector,
    private readonly cache: IntrospectionCache | undefined,
    private readonly policy: IntrospectionCachePolicy,
  ) {}

  introspect(token: string): IntrospectionResponse | Promise<IntrospectionResponse> {
    const key = hash('sha256', token, 'base64url');
    if (!this.cache) return this.shared(token, key);
    return whenAnswered(this.cache.get(key), (cached) => {
      this.policy.onLookup?.(cached !== undefined);
      return cached ?? this.shared(token, key);
    });
  }

  /** Seconds a result may be kept: the configured TTL, cut at the token's `exp`. */
  ttlFor(response: IntrospectionResponse): number {
    if (this.policy.cacheTtlSeconds <= 0) return 0;
    if (!response.active) return Math.min(this.policy.inactiveCacheTtlSeconds, this.policy.cacheTtlSeconds);
    const exp = response.exp;
    const ttl = this.policy.cacheTtlSeconds;
    if (typeof exp !== 'number') return ttl;
    return Math.min(ttl, exp - this.policy.clock() / 1000);
  }

  /** How the last call to the introspection endpoint went (readiness reads it; no call is made). */
  lastCall(): IntrospectionCallStatus {
    return this.lastOutcome;
  }

  /**
   * Asks the endpoint about a random placeholder token (never a client's; never cached) to
   * learn whether it answers again, and records the outcome like any call. For readiness
   * after a failure, so that a replica taken out of rotation can come back without traffic.
   * The caller limits how often.
   */
  async recheck(): Promise<IntrospectionCallStatus> {
    await this.observed(`readiness-probe.${randomBytes(16).toString('base64url')}`).catch(() => undefined);
    return this.lastOutcome;
  }

  /** Closes the inner introspector's connections. */
  async close(): Promise<void> {
    await (this.inner as { close?(): Promise<void> }).close?.();
  }

  /** One call for every concurrent request with this token. */
  private shared(token: string, key: string): Promise<IntrospectionResponse> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.call(token, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async call(token: string, key: string): Promise<IntrospectionResponse> {
    const response = await this.observed(token);
    const ttl = this.ttlFor(response);
    if (this.cache && ttl > 0) await this.cache.set(key, response, ttl);
    return response;
  }

  /** One call to the inner introspector, its outcome recorded for {@link lastCall}. */
  private async observed(token: string): Promise<IntrospectionResponse> {
    try {
      const response = await this.inner.introspect(token);
      this.lastOutcome = { called: true, failed: false, at: this.policy.clock() };
      this.policy.onCall?.(response.active ? 'active' : 'inactive');
      return response;
    } catch (error) {
      this.policy.onCall?.('failed');
      const reason = (error as { reason?: unknown } | null)?.reason;
      this.lastOutcome = {
        called: true,
        failed: true,
        at: this.policy.clock(),
        reason: typeof reason === 'string' ? reason : 'introspection_failed',
      };
      throw error;
    }
  }
}
