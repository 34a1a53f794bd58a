import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { checkTimes, reusableForMs, type TimePolicy } from '../claims/time-rules.js';
import { BearerTokenError } from '../errors/bearer-token.errors.js';
import { whenAnswered, type TokenVerifier, type VerificationContext } from './token-verifier.js';

/** How long verifications may be reused, and what `exp` and `nbf` are checked against. */
export interface VerifiedTokenCachePolicy extends TimePolicy {
  /** Seconds an entry lives, never past the token's `exp`. */
  readonly ttlSeconds: number;
  readonly maxEntries: number;
  /** Told of each lookup, hit or miss (the module counts them in the metrics). */
  readonly onLookup?: (hit: boolean) => void;
}

/** Where the signing keys come from: entries made under another key-set version are not used. */
export interface KeySetVersion {
  keySetVersion(): number;
}

interface Entry {
  /** Frozen: every request with this token shares the object. The token itself is not kept. */
  readonly claims: AccessTokenClaims;
  readonly strategy: VerifiedToken['strategy'];
  readonly keySetVersion: number;
}

/**
 * Wraps a {@link TokenVerifier}: a token verified once is not verified again while its entry
 * lives, and a hit is answered at once (no promise). Entries are keyed by the token's
 * SHA-256, computed once per call (the token is never kept), bounded by an LRU, and checked
 * on every hit: `exp` and `nbf` by the one time rule, and the key-set version, so that a key
 * the JWKS dropped or replaced stops admitting what it verified as soon as the key store has
 * refetched the set. The route's rules are the guard's, checked on every request.
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

  verify(token: string, context: VerificationContext): VerifiedToken | Promise<VerifiedToken> {
    const key = hash('sha256', token, 'base64url');
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (entry.keySetVersion === this.keys.keySetVersion() && this.stillValid(entry.claims)) {
        this.policy.onLookup?.(true);
        return { token, claims: entry.claims, strategy: entry.strategy };
      }
      this.entries.delete(key);
    }
    this.policy.onLookup?.(false);
    // read before verifying: a key set replaced meanwhile must not vouch for this entry
    const keySetVersion = this.keys.keySetVersion();
    const verified = this.inner.verify(token, context);
    return whenAnswered(verified, (result) => this.keep(key, result, keySetVersion));
  }

  /** Entries held now (at most `maxEntries`). */
  get size(): number {
    return this.entries.size;
  }

  private keep(key: string, verified: VerifiedToken, keySetVersion: number): VerifiedToken {
    const ttl = reusableForMs(verified.claims, this.policy.ttlSeconds, this.policy);
    if (ttl <= 0) return verified;
    const claims = deepFreeze(verified.claims);
    this.entries.set(key, { claims, strategy: verified.strategy, keySetVersion }, { ttl });
    return { token: verified.token, claims, strategy: verified.strategy };
  }

  private stillValid(claims: AccessTokenClaims): boolean {
    try {
      checkTimes(claims, this.policy, false);
      return true;
    } catch (error) {
      if (error instanceof BearerTokenError) return false;
      throw error;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
