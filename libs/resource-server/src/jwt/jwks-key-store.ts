import { createPublicKey, type KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import jwksRsa from 'jwks-rsa';
import type { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { fetchJson } from '../discovery/fetch-json.js';
import { SlidingWindowLimiter } from './sliding-window-limiter.js';

/** What the key store needs to know. */
export interface JwksKeyStoreOptions {
  /** The JWKS endpoint; when absent, `jwks_uri` from discovery. */
  readonly jwksUri?: string;
  readonly discovery: AuthorizationServerMetadataSource;
  readonly timeoutMs: number;
  /** Most fetch attempts in any 60 s, failures included. */
  readonly maxFetchesPerMinute: number;
  /** Age after which a lookup triggers a background refresh. */
  readonly refreshIntervalSeconds: number;
  readonly clock: () => number;
  /** Told of each fetch attempt's outcome (the module counts them in the metrics). */
  readonly onFetch?: (outcome: 'ok' | 'failed') => void;
}

/** The key store's state, as readiness reports it. */
export interface JwksKeyStoreStatus {
  /** True once a JWKS with a usable key was fetched: tokens can be verified now. */
  readonly keysFetched: boolean;
  readonly keyCount: number;
  /** When the cached set was fetched (milliseconds since the epoch), if one was. */
  readonly fetchedAt?: number;
  /** The code of the last fetch's failure (`jwks_unreachable`, ...), cleared by a success. */
  readonly lastFailure?: string;
}

interface StoredKey {
  readonly key: KeyObject;
  /** The JWK's `alg`, when it names one: the key may then be used with that algorithm only. */
  readonly alg?: string;
  /** What the key is, worked out once: `rsa`, or the curve of an EC key. */
  readonly kind: string;
}

/**
 * The issuer's signing keys, imported once per fetch as `KeyObject`s (never a PEM parsed
 * per request). The JWKS is cached as a whole set and replaced on each successful fetch;
 * an unknown `kid` triggers a refetch, shared by concurrent callers and capped at
 * `maxFetchesPerMinute`; when the endpoint is down, cached keys keep working.
 * jwks-rsa does the JWK filtering and import; this class adds the caching policy.
 */
export class JwksKeyStore {
  private readonly logger = new Logger('ResourceServer');
  private readonly limiter: SlidingWindowLimiter;
  private keys?: ReadonlyMap<string, StoredKey>;
  private fetchedAt = 0;
  private pending?: Promise<void>;
  private lastFailure?: AuthorizationServerUnavailableError;
  private client?: { uri: string; client: jwksRsa.JwksClient };
  private version = 0;
  /** Fetch attempts made so far (for tests and metrics). */
  fetchAttempts = 0;

  /** Where this store finds `jwks_uri` when none is configured: its issuer's discovery. */
  get discovery(): AuthorizationServerMetadataSource {
    return this.options.discovery;
  }

  constructor(private readonly options: JwksKeyStoreOptions) {
    this.limiter = new SlidingWindowLimiter(options.maxFetchesPerMinute, 60_000, options.clock);
  }

  /** Starts a first fetch in the background; never throws, never blocks start-up. */
  warmUp(): void {
    void this.refresh();
  }

  /**
   * The key for `kid`, checked against the token's `alg`: at once (no promise) when the set
   * in memory has it, else after a refetch. Either way a stale set is refreshed in the
   * background.
   * @throws InvalidTokenError `key_unknown` when the JWKS answered and has no such key (or
   *   the fetch budget is spent); `algorithm_not_allowed` when the key is for another algorithm.
   * @throws AuthorizationServerUnavailableError when no key was ever fetched.
   */
  key(kid: string, alg: string): KeyObject | Promise<KeyObject> {
    const stored = this.keys?.get(kid);
    if (stored) {
      this.refreshIfStale();
      return checked(stored, alg);
    }
    return this.refresh().then(() => this.afterRefresh(kid, alg));
  }

  private afterRefresh(kid: string, alg: string): KeyObject {
    const stored = this.keys?.get(kid);
    if (stored) return checked(stored, alg);
    if (this.keys === undefined) {
      throw new AuthorizationServerUnavailableError(
        this.lastFailure?.message ?? 'jwks: no signing key fetched yet',
        this.lastFailure?.reason ?? 'jwks_unavailable',
        { cause: this.lastFailure },
      );
    }
    throw new InvalidTokenError('token signing key (kid) is unknown', 'key_unknown');
  }

  /**
   * The version of the key set: it changes when a fetch drops a key or changes one under
   * the same `kid`, so whatever was verified with an older version is to be verified again.
   * Reading it keeps the set fresh, as a key lookup does (a background refresh when stale).
   */
  keySetVersion(): number {
    this.refreshIfStale();
    return this.version;
  }

  /**
   * What readiness reports, read without any fetch: whether a key was ever fetched (cached keys
   * keep the store usable through an outage), how many, when, and why the last fetch failed.
   */
  status(): JwksKeyStoreStatus {
    return {
      keysFetched: this.keys !== undefined,
      keyCount: this.keys?.size ?? 0,
      fetchedAt: this.keys ? this.fetchedAt : undefined,
      lastFailure: this.lastFailure?.reason,
    };
  }

  /**
   * Resolves once a key is known, or once one fetch attempt (within the fetch limit, shared
   * with concurrent callers) ended without one; never throws. Nothing is fetched when keys are
   * already cached, so calling it on every readiness probe never adds load.
   */
  ensureFetched(): Promise<void> {
    return this.keys ? Promise.resolve() : this.refresh();
  }

  private refreshIfStale(): void {
    if (this.keys && this.options.clock() - this.fetchedAt > this.options.refreshIntervalSeconds * 1000) {
      void this.refresh();
    }
  }

  /** One fetch at a time; callers arriving meanwhile wait for it. Resolves even on failure. */
  private refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.limiter.tryAcquire()) return Promise.resolve();
    this.pending = this.fetchKeys().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    this.fetchAttempts++;
    try {
      const uri = this.options.jwksUri ?? (await this.discoveredJwksUri());
      const signingKeys = await this.clientFor(uri).getSigningKeys();
      const keys = new Map<string, StoredKey>();
      for (const signingKey of signingKeys) {
        // keys without kid cannot be selected: tokens without kid are refused
        if (signingKey.kid === undefined) continue;
        const alg = (signingKey as { alg?: string }).alg;
        const key = createPublicKey(signingKey.getPublicKey());
        keys.set(signingKey.kid, { key, alg, kind: keyKind(key) });
      }
      if (keys.size === 0) {
        throw new AuthorizationServerUnavailableError('jwks: no signing key with a kid', 'jwks_no_keys');
      }
      if (this.keys && [...this.keys].some(([kid, old]) => !sameKey(old, keys.get(kid)))) this.version++;
      this.keys = keys;
      this.fetchedAt = this.options.clock();
      this.lastFailure = undefined;
      this.options.onFetch?.('ok');
    } catch (error) {
      this.options.onFetch?.('failed');
      this.lastFailure =
        error instanceof AuthorizationServerUnavailableError
          ? error
          : new AuthorizationServerUnavailableError(`jwks: ${(error as Error)?.message ?? error}`, 'jwks_garbage', {
              cause: error,
            });
      this.logger.warn(
        `JWKS fetch failed (${this.lastFailure.reason}): ${this.lastFailure.message}` +
          (this.keys ? '; keeping the cached keys' : '; no keys cached, protected routes answer 503'),
      );
    }
  }

  private async discoveredJwksUri(): Promise<string> {
    const metadata = await this.options.discovery.get();
    if (!metadata.jwks_uri) {
      throw new AuthorizationServerUnavailableError('discovery: no jwks_uri', 'discovery_no_jwks_uri');
    }
    return metadata.jwks_uri;
  }

  private clientFor(uri: string): jwksRsa.JwksClient {
    if (this.client?.uri !== uri) {
      const { timeoutMs } = this.options;
      const client = new jwksRsa.JwksClient({
        jwksUri: uri,
        cache: false, // this class caches the whole set
        rateLimit: false, // and limits fetches over a sliding window
        fetcher: async (url) => {
          const body = await fetchJson(url, { timeoutMs, what: 'jwks' });
          const keys = (body as { keys?: unknown } | null)?.keys;
          if (!Array.isArray(keys))
            throw new AuthorizationServerUnavailableError('jwks: no keys array', 'jwks_garbage');
          return { keys: keys.filter((k) => k !== null && typeof k === 'object') };
        },
      });
      this.client = { uri, client };
    }
    return this.client.client;
  }
}

function sameKey(a: StoredKey, b: StoredKey | undefined): boolean {
  return b !== undefined && a.alg === b.alg && a.key.equals(b.key);
}

function checked(stored: StoredKey, alg: string): KeyObject {
  if ((stored.alg !== undefined && stored.alg !== alg) || !kindFitsAlgorithm(stored.kind, alg)) {
    throw new InvalidTokenError('token algorithm does not match its key', 'algorithm_not_allowed');
  }
  return stored.key;
}

/** `rsa` for RSA keys, the named curve for EC keys, the key type otherwise. */
function keyKind(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') return 'rsa';
  if (type === 'ec') return key.asymmetricKeyDetails?.namedCurve ?? 'ec';
  return type ?? key.type;
}

const CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/**
 * RFC 8725 §3.1: the algorithm must be one the key is for (RSA for RS and PS, the matching
 * curve for ES), checked here so the signature library is only ever asked to verify.
 */
function kindFitsAlgorithm(kind: string, alg: string): boolean {
  const family = alg.slice(0, 2);
  if (family === 'RS' || family === 'PS') return kind === 'rsa';
  if (family === 'ES') return kind === CURVES[alg];
  return false;
}
