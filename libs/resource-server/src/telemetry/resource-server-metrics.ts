import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

/** Name of the OpenTelemetry meter every instrument of the library belongs to. */
export const METER_NAME = 'nest-resource-server';

/**
 * The library's instruments, through the OpenTelemetry metrics API: no SDK or exporter is
 * forced on the app; without one they are no-ops that cost a call each. Attribute values come
 * from small fixed sets (outcome, reason, strategy, fetch outcome): never a path, a token or
 * a subject, so a metric cannot explode in cardinality or leak.
 */
export class ResourceServerMetrics {
  private readonly meter = metrics.getMeter(METER_NAME);

  /** Verifications by `outcome`, `reason`, `strategy`. */
  readonly verifications: Counter = this.meter.createCounter('nest_resource_server.verifications', {
    description: 'Requests whose token the guard verified, by outcome and reason',
  });

  /** Time the guard spent per request (resolve, verify, route rules). */
  readonly verificationDuration: Histogram = this.meter.createHistogram('nest_resource_server.verification.duration', {
    description: 'Time spent verifying the token and the route rules',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5] },
  });

  /** JWKS fetches by `outcome` (`ok`, `failed`). */
  readonly jwksFetches: Counter = this.meter.createCounter('nest_resource_server.jwks.fetches', {
    description: 'Fetches of the issuer JWKS, by outcome',
  });

  /** Counts one JWKS fetch attempt: a callback for the key stores, which know nothing of metrics. */
  readonly jwksFetched = (outcome: 'ok' | 'failed'): void => this.jwksFetches.add(1, { outcome });

  /** Calls to the RFC 7662 endpoint by `outcome` (`active`, `inactive`, `failed`). */
  readonly introspectionCalls: Counter = this.meter.createCounter('nest_resource_server.introspection.calls', {
    description: 'Calls to the introspection endpoint, by outcome',
  });

  /** Counts one call to the introspection endpoint (a callback, like {@link jwksFetched}). */
  readonly introspectionCalled = (outcome: 'active' | 'inactive' | 'failed'): void =>
    this.introspectionCalls.add(1, { outcome });

  /** Counts one lookup in the introspection cache. */
  readonly introspectionCacheLooked = (hit: boolean): void =>
    this.cacheLookups.add(1, { cache: 'introspection', result: hit ? 'hit' : 'miss' });

  /** DPoP proofs refused because their `jti` was seen already (RFC 9449 §11.1). */
  readonly dpopReplays: Counter = this.meter.createCounter('nest_resource_server.dpop.replays_refused', {
    description: 'DPoP proofs refused as replays',
  });

  /** Counts one refused replay. */
  readonly dpopReplayRefused = (): void => this.dpopReplays.add(1);

  /** Counts one lookup in the verified-token cache. */
  readonly verifiedCacheLooked = (hit: boolean): void =>
    this.cacheLookups.add(1, { cache: 'verified_token', result: hit ? 'hit' : 'miss' });

  /** Cache lookups by `cache` (`introspection`, `verified_token`) and `result` (`hit`, `miss`). */
  readonly cacheLookups: Counter = this.meter.createCounter('nest_resource_server.cache.lookups', {
    description: 'Lookups in the introspection and verified-token caches, by result',
  });
}
