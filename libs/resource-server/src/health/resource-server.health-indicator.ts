import type { OnApplicationShutdown } from '@nestjs/common';
import type { IntrospectionCallStatus } from '../introspection/caching-token-introspector.js';
import type { JwksKeyStoreStatus } from '../jwt/jwks-key-store.js';
import { SlidingWindowLimiter } from '../jwt/sliding-window-limiter.js';
import type { HealthIndicatorResult, ReadinessCheck } from './readiness-check.js';

/** One issuer's signing keys, as readiness sees them (the JWKS key store). */
export interface IssuerKeySet {
  readonly issuer: string;
  readonly keys: {
    status(): JwksKeyStoreStatus;
    /** One fetch attempt within the store's limit when no key is known; never throws. */
    ensureFetched(): Promise<void>;
  };
}

/** The introspection client, as readiness sees it. */
export interface IntrospectionReachability {
  lastCall(): IntrospectionCallStatus;
  /** One call with a placeholder token, its outcome recorded; never throws. */
  recheck(): Promise<IntrospectionCallStatus>;
}

/** What the indicator looks at; the module fills it from the options in use. */
export interface ReadinessSources {
  /** Every issuer whose JWTs are verified locally; empty without the JWT strategy. */
  readonly issuers: readonly IssuerKeySet[];
  /** The introspection client, with the `introspection` and `auto` strategies. */
  readonly introspection?: IntrospectionReachability;
  /** Other dependencies: Redis when configured, a replay store, ... */
  readonly checks: readonly ReadinessCheck[];
  /** Most rechecks of a failed introspection endpoint in any 60 s. Default: 6. */
  readonly introspectionRechecksPerMinute?: number;
  readonly clock: () => number;
}

/**
 * Readiness for `@nestjs/terminus`: can this replica validate tokens now? Down while no
 * signing key was ever fetched for some issuer (cached keys keep it up through a JWKS
 * outage), while the last call to the introspection endpoint failed, or while a configured
 * Redis does not answer.
 *
 * A probe never adds load while all is well: it reads state. While an issuer has no key it
 * makes the key store try once, within the store's own fetch limit (10 in any 60 s, shared
 * with key rotation), and while introspection is failing it asks the endpoint about a
 * placeholder token at most `introspectionRechecksPerMinute` times a minute: so a replica
 * taken out of rotation, which gets no traffic, still finds out that the server is back.
 *
 * @example
 * @Get('ready') @Public() @HealthCheck()
 * ready() { return this.health.check([() => this.resourceServer.isHealthy()]); }
 */
export class ResourceServerHealthIndicator implements OnApplicationShutdown {
  private readonly rechecks: SlidingWindowLimiter;

  constructor(private readonly sources: ReadinessSources) {
    this.rechecks = new SlidingWindowLimiter(sources.introspectionRechecksPerMinute ?? 6, 60_000, sources.clock);
  }

  /**
   * The terminus result under `key`: `status` `up` or `down`, with a part per concern
   * (`jwt` per issuer, `introspection`, `redis`, ...) saying what is wrong. Never throws.
   */
  async isHealthy<Key extends string = 'oauth'>(key: Key = 'oauth' as Key): Promise<HealthIndicatorResult<Key>> {
    const [jwt, introspection, ...checks] = await Promise.all([
      this.jwt(),
      this.introspection(),
      ...this.sources.checks.map((check) => this.run(check)),
    ]);
    const parts: Record<string, { status: 'up' | 'down' }> = {};
    if (jwt) parts.jwt = jwt;
    if (introspection) parts.introspection = introspection;
    for (const [name, part] of checks) parts[name] = part;
    const up = Object.values(parts).every((part) => part.status === 'up');
    return { [key]: { status: up ? 'up' : 'down', ...parts } } as HealthIndicatorResult<Key>;
  }

  /** Closes connections the checks opened. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.sources.checks.map((check) => check.close?.()));
  }

  private async jwt() {
    if (this.sources.issuers.length === 0) return undefined;
    const issuers: Record<string, object> = {};
    let up = true;
    for (const { issuer, keys } of this.sources.issuers) {
      if (!keys.status().keysFetched) await keys.ensureFetched();
      const status = keys.status();
      if (status.keysFetched) {
        issuers[issuer] = {
          status: 'up',
          keys: status.keyCount,
          fetchedAt: new Date(status.fetchedAt!).toISOString(),
          ...(status.lastFailure ? { lastFailure: status.lastFailure } : {}),
        };
      } else {
        up = false;
        issuers[issuer] = { status: 'down', reason: status.lastFailure ?? 'jwks_not_fetched' };
      }
    }
    return { status: up ? ('up' as const) : ('down' as const), issuers };
  }

  private async introspection() {
    const client = this.sources.introspection;
    if (!client) return undefined;
    let last = client.lastCall();
    if (last.failed && this.rechecks.tryAcquire()) last = await client.recheck();
    if (!last.failed) return { status: 'up' as const, ...(last.called ? {} : { called: false }) };
    return { status: 'down' as const, reason: last.reason, at: new Date(last.at!).toISOString() };
  }

  private async run(check: ReadinessCheck): Promise<[string, { status: 'up' | 'down' }]> {
    try {
      const { ready, ...details } = await check.check();
      return [check.name, { ...details, status: ready ? 'up' : 'down' }];
    } catch {
      return [check.name, { status: 'down' }];
    }
  }
}
