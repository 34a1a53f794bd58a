/**
 * One thing the API needs to validate tokens now, checked on each readiness probe: a Redis,
 * a replay store, any dependency. Small enough to implement in a test.
 */
export interface ReadinessCheck {
  /** The name under which the result is reported, such as `redis`. */
  readonly name: string;
  /** Whether it is usable now; never throws, never takes longer than its own time limit. */
  check(): Promise<ReadinessReport>;
  /** Releases what the check holds (a connection). */
  close?(): Promise<void>;
}

/** What a {@link ReadinessCheck} found: `ready`, and details safe to show (never a secret). */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly [detail: string]: unknown;
}

/**
 * One entry of a `@nestjs/terminus` health check result: `status` and details. The shape of
 * terminus's `HealthIndicatorResult`, declared here so that the library does not need
 * terminus to be installed; `HealthCheckService.check()` takes it as it is.
 */
export interface HealthIndicatorStatus {
  readonly status: 'up' | 'down';
  readonly [detail: string]: unknown;
}

/** A terminus `HealthIndicatorResult`: one {@link HealthIndicatorStatus} per key. */
export type HealthIndicatorResult<Key extends string = string> = Record<Key, HealthIndicatorStatus>;
