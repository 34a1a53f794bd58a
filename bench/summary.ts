import type { Window } from './measure.js';
import type { Scenario, ScenarioId } from './scenarios.js';

/** A median with the smallest and largest value it was taken from. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One scenario over all its windows. */
export interface Summary {
  readonly scenario: Scenario;
  /** Served by the build under `BENCH_BASELINE` (before/after comparisons), not this one. */
  readonly baseline: boolean;
  readonly windows: readonly Window[];
  readonly requestsPerSecond: Spread;
  /** Median req/s over the bare route's median req/s (min–max: this scenario's lowest and highest, over the same). */
  readonly ratio?: Spread;
  /** The bare route's median CPU per request over this scenario's: the ratio another process's load cannot move. */
  readonly cpuRatio?: number;
  /** Milliseconds, median over the windows. */
  readonly p50: number;
  readonly p99: number;
  readonly cpuMicrosPerRequest: Spread;
  /** Median share of a core the server used. */
  readonly serverBusy: number;
}

/** A target of issue 8, checked against one run. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN };
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** The windows of one server, in round order. */
export interface Measured {
  readonly scenario: Scenario;
  readonly baseline: boolean;
  readonly windows: readonly Window[];
}

/** Summaries in the order given; ratios need the bare route in the same run. */
export function summarize(measured: readonly Measured[]): Summary[] {
  // each window comes from a fresh process, so rounds are not pairs: compare medians
  const bare = measured.find((m) => m.scenario.id === 'bare' && !m.baseline)?.windows;
  const bareRps = bare && spread(bare.map((w) => w.requestsPerSecond)).median;
  const bareCpu = bare && spread(bare.map((w) => w.cpuMicrosPerRequest)).median;
  return measured.map(({ scenario, baseline, windows }) => {
    const requestsPerSecond = spread(windows.map((w) => w.requestsPerSecond));
    const cpuMicrosPerRequest = spread(windows.map((w) => w.cpuMicrosPerRequest));
    return {
      scenario,
      baseline,
      windows,
      requestsPerSecond,
      ratio: bareRps
        ? {
            median: requestsPerSecond.median / bareRps,
            min: requestsPerSecond.min / bareRps,
            max: requestsPerSecond.max / bareRps,
          }
        : undefined,
      cpuRatio: bareCpu ? bareCpu / cpuMicrosPerRequest.median : undefined,
      p50: spread(windows.map((w) => w.p50)).median,
      p99: spread(windows.map((w) => w.p99)).median,
      cpuMicrosPerRequest,
      serverBusy: spread(windows.map((w) => w.serverBusy)).median,
    };
  });
}

/** Issue 8's targets, for the scenarios that ran. */
export function checkTargets(summaries: readonly Summary[]): TargetCheck[] {
  const byId = new Map(summaries.filter((s) => !s.baseline).map((s) => [s.scenario.id, s]));
  const ratio = (id: ScenarioId) => byId.get(id)?.ratio?.median;
  const cpu = (id: ScenarioId) => byId.get(id)?.cpuMicrosPerRequest.median;
  const checks: TargetCheck[] = [];
  const atLeast = (id: ScenarioId, what: string, min: number) => {
    const value = ratio(id);
    const byCpu = byId.get(id)?.cpuRatio;
    if (value !== undefined) {
      const measured = `${times(value)}${byCpu !== undefined ? ` (by CPU per request: ${times(byCpu)})` : ''}`;
      checks.push({ target: `${what} ≥ ${min.toFixed(2)}×`, measured, met: value >= min });
    }
  };
  atLeast('public', '@Public() route', 0.97);
  atLeast('jwt-rs256', 'JWT RS256', 0.68);
  const rs256Cpu = cpu('jwt-rs256');
  const floorCpu = cpu('floor-rs256');
  if (rs256Cpu !== undefined && floorCpu !== undefined) {
    const gap = rs256Cpu - floorCpu;
    checks.push({
      target: 'JWT RS256 within ~10 µs/request of the minimal guard',
      measured: `${gap >= 0 ? '+' : ''}${gap.toFixed(1)} µs CPU/request`,
      met: gap <= 10,
    });
  }
  const rs256 = ratio('jwt-rs256');
  const auth0 = ratio('auth0');
  if (rs256 !== undefined && auth0 !== undefined) {
    checks.push({
      target: "JWT RS256 ≥ 1.15× auth0's ratio",
      measured: `${(rs256 / auth0).toFixed(2)}× (${times(rs256)} vs ${times(auth0)})`,
      met: rs256 / auth0 >= 1.15,
    });
  }
  atLeast('jwt-es256', 'JWT ES256', 0.5);
  atLeast('introspection', 'remote introspection, keep-alive', 0.7);
  atLeast('introspection-cached', 'introspection cache hit', 0.93);
  atLeast('verified-cache', 'verified-token cache hit', 0.93);
  return checks;
}

export function times(value: number): string {
  return `${value.toFixed(2)}×`;
}
