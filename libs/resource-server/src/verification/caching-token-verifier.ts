import { hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import type { TokenVerifier } from './token-verifier.js';

/** How long verifications may be reused, and what `exp` and `nbf` are checked against. */
export interface VerifiedTokenCachePolicy {
  /** Seconds an entry lives, never past the token's `exp`. */
  readonly ttlSeconds: number;
  readonly maxEntries: number;
  readonly clockToleranceSeconds: number;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** Where the signing keys come from: entries made under another key-set version are not used. */
export interface KeySetVersion {
  keySetVersion(): number;
}

interface Entry {
  /** Frozen: every request with this token shares the object. */
  readonly claims: AccessTokenClaims;
  readonly keySetVersion: number;
}

/**
 * Wraps a {@link TokenVerifier}: a JWT verified once is not verified again while its entry
 * lives. Entries are keyed by the token's SHA-256 (the token is never kept), bounded by an
 * LRU, and checked on every hit: `exp` and `nbf` against the clock, and the key-set version,
 * so that a key the JWKS dropped or replaced stops admitting what it verified as soon as the
 * key store has refetched the set. The route's rules are the guard's, checked on every request.
 * Introspected tokens are not kept here: `introspection.cacheTtlSeconds` governs them.
 */
export class CachingTokenVerifier implements TokenVerifier {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly inner: TokenVerifier,
    private readonly keys: KeySetVersion,
    private readonly policy: VerifiedTokenCachePolicy,
  ) {
    this.entries = new LRUCache({ max: policy.maxEntries, ttlAutopurge: false, perf: { now: policy.clock } });
  }

  verifyCached(token: string): VerifiedToken | undefined {
    const key = hash('sha256', token, 'base64url');
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.keySetVersion === this.keys.keySetVersion() && this.stillValid(entry.claims)) {
        return { token, claims: entry.claims, strategy: 'jwt' };
      }
      this.entries.delete(key);
    }
    return this.inner.verifyCached?.(token);
  }

  async verify(token: string, request: IncomingMessage, response: ServerResponse): Promise<VerifiedToken> {
    const cached = this.verifyCached(token);
    if (cached) return cached;
    // read before verifying: a key set replaced meanwhile must not vouch for this entry
    const keySetVersion = this.keys.keySetVersion();
    const verified = await this.inner.verify(token, request, response);
    if (verified.strategy !== 'jwt') return verified;
    const ttlMs = this.ttlMsFor(verified.claims);
    if (ttlMs <= 0) return verified;
    const claims = deepFreeze(verified.claims);
    this.entries.set(hash('sha256', token, 'base64url'), { claims, keySetVersion }, { ttl: ttlMs });
    return verified;
  }

  /** Entries held now (at most `maxEntries`). */
  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds an entry may live: the TTL, cut where `exp` (with the tolerance) ends it. */
  private ttlMsFor(claims: AccessTokenClaims): number {
    const ttlMs = this.policy.ttlSeconds * 1000;
    if (typeof claims.exp !== 'number') return ttlMs;
    const expiresAtMs = (claims.exp + this.policy.clockToleranceSeconds) * 1000;
    return Math.min(ttlMs, Math.floor(expiresAtMs - this.policy.clock()));
  }

  // the same rules as validateRegisteredClaims: time is the only thing that changed since
  private stillValid(claims: AccessTokenClaims): boolean {
    const now = this.policy.clock() / 1000;
    const tolerance = this.policy.clockToleranceSeconds;
    if (typeof claims.exp === 'number' && now >= claims.exp + tolerance) return false;
    if (typeof claims.nbf === 'number' && claims.nbf > now + tolerance) return false;
    return true;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
