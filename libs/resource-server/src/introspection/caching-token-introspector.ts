import { hash } from 'node:crypto';
import { whenAnswered } from '../verification/token-verifier.js';
import type { IntrospectionCache } from './introspection-cache.js';
import type { IntrospectionResponse, TokenIntrospector } from './token-introspector.js';

/** How long results may be reused. */
export interface IntrospectionCachePolicy {
  /** Seconds an active result may be reused, never past its `exp`; 0: no cache. */
  readonly cacheTtlSeconds: number;
  /** Seconds an inactive result may be reused. */
  readonly inactiveCacheTtlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
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

  constructor(
    private readonly inner: TokenIntrospector,
    private readonly cache: IntrospectionCache | undefined,
    private readonly policy: IntrospectionCachePolicy,
  ) {}

  introspect(token: string): IntrospectionResponse | Promise<IntrospectionResponse> {
    const key = hash('sha256', token, 'base64url');
    if (!this.cache) return this.shared(token, key);
    return whenAnswered(this.cache.get(key), (cached) => cached ?? this.shared(token, key));
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
    const response = await this.inner.introspect(token);
    const ttl = this.ttlFor(response);
    if (this.cache && ttl > 0) await this.cache.set(key, response, ttl);
    return response;
  }
}
