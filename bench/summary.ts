import type { Window } from './measure.js';
import { PLATFORMS, type Scenario, type ScenarioId } from './scenarios.js';

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
  /**
   * Median req/s over the median req/s of the bare route on the same platform (min–max: this
   * scenario's lowest and highest, over the same).
   */
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

/** A target of issue 8, 12 (deliverable 7), 14 (deliverable 9) or 15 (deliverable 4), checked against one run. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** The issue that set it. */
  readonly issue: 8 | 12 | 14 | 15;
  /** The scenario whose ratio must reach `minRatio` (the chart's tick), when the target is one. */
  readonly scenario?: ScenarioId;
  readonly minRatio?: number;
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

/** Summaries in the order given; ratios need the platform's bare route in the same run. */
export function summarize(measured: readonly Measured[]): Summary[] {
  // each window comes from a fresh process, so rounds are not pairs: compare medians
  const reference = (scenario: Scenario) => {
    const bare = measured.find((m) => m.scenario.id === PLATFORMS[scenario.platform].reference && !m.baseline)?.windows;
    return {
      rps: bare && spread(bare.map((w) => w.requestsPerSecond)).median,
      cpu: bare && spread(bare.map((w) => w.cpuMicrosPerRequest)).median,
    };
  };
  return measured.map(({ scenario, baseline, windows }) => {
    const { rps: bareRps, cpu: bareCpu } = reference(scenario);
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

/**
 * The median ratios of the results table of 2026-11-23 18:23 UTC, before issue 12: its
 * deliverable 7 asks for introspection and cache figures no worse than these.
 */
const TABLE_BEFORE_ISSUE_12: Readonly<Partial<Record<ScenarioId, number>>> = {
  introspection: 0.64,
  'introspection-one-token': 0.75,
  'introspection-cached': 0.86,
  'verified-cache': 0.89,
};

/** The targets of issue 12 (deliverable 7), then those of issues 8, 14 and 15, for the scenarios that ran. */
export function checkTargets(summaries: readonly Summary[]): TargetCheck[] {
  const byId = new Map(summaries.filter((s) => !s.baseline).map((s) => [s.scenario.id, s]));
  const ratio = (id: ScenarioId) => byId.get(id)?.ratio?.median;
  const cpu = (id: ScenarioId) => byId.get(id)?.cpuMicrosPerRequest.median;
  const checks: TargetCheck[] = [];
  let issue: TargetCheck['issue'] = 12;
  const add = (check: Omit<TargetCheck, 'issue'>) => checks.push({ ...check, issue });
  const atLeast = (id: ScenarioId, what: string, min: number, note = '') => {
    const value = ratio(id);
    const byCpu = byId.get(id)?.cpuRatio;
    if (value !== undefined) {
      const measured = `${times(value)}${byCpu !== undefined ? ` (by CPU per request: ${times(byCpu)})` : ''}`;
      add({ target: `${what} ≥ ${min.toFixed(2)}×${note}`, measured, met: value >= min, scenario: id, minRatio: min });
    }
  };
  const shareOfFloor = (id: ScenarioId, floorId: ScenarioId, what: string, share: number) => {
    const value = ratio(id);
    const floor = ratio(floorId);
    if (value === undefined || floor === undefined) return;
    add({
      target: `${what} ≥ ${share.toFixed(2)} × the floor's ratio`,
      measured: `${(value / floor).toFixed(2)} (${times(value)} vs ${times(floor)})`,
      met: value >= share * floor,
      scenario: id,
      minRatio: share * floor,
    });
  };

  // issue 12, deliverable 7: on each platform, against that platform's bare route and floor
  shareOfFloor('jwt-rs256', 'floor-rs256', 'Express: JWT RS256', 0.95);
  shareOfFloor('fastify-jwt-rs256', 'fastify-floor-rs256', 'Fastify: JWT RS256', 0.9);
  const fastifyRs256 = ratio('fastify-jwt-rs256');
  const fastifyPeer = ratio('fastify-jwt-plugin');
  if (fastifyRs256 !== undefined && fastifyPeer !== undefined) {
    add({
      target: 'Fastify: JWT RS256 ahead of @fastify/jwt + get-jwks',
      measured: `${(fastifyRs256 / fastifyPeer).toFixed(2)}× its ratio (${times(fastifyRs256)} vs ${times(fastifyPeer)})`,
      met: fastifyRs256 > fastifyPeer,
      scenario: 'fastify-jwt-rs256',
      minRatio: fastifyPeer,
    });
  }
  atLeast('public', 'Express: @Public() route', 0.97);
  atLeast('fastify-public', 'Fastify: @Public() route', 0.97);
  for (const [id, before] of Object.entries(TABLE_BEFORE_ISSUE_12) as [ScenarioId, number][]) {
    atLeast(id, `Express: ${byId.get(id)?.scenario.label ?? id}`, before, ' (no worse than before issue 12)');
  }

  issue = 8;
  atLeast('jwt-rs256', 'JWT RS256', 0.68);
  const rs256Cpu = cpu('jwt-rs256');
  const floorCpu = cpu('floor-rs256');
  if (rs256Cpu !== undefined && floorCpu !== undefined) {
    const gap = rs256Cpu - floorCpu;
    add({
      target: 'JWT RS256 within ~10 µs/request of the minimal guard',
      measured: `${gap >= 0 ? '+' : ''}${gap.toFixed(1)} µs CPU/request`,
      met: gap <= 10,
    });
  }
  const rs256 = ratio('jwt-rs256');
  const auth0 = ratio('auth0');
  if (rs256 !== undefined && auth0 !== undefined) {
    add({
      target: "JWT RS256 ≥ 1.15× auth0's ratio",
      measured: `${(rs256 / auth0).toFixed(2)}× (${times(rs256)} vs ${times(auth0)})`,
      met: rs256 / auth0 >= 1.15,
    });
  }
  atLeast('jwt-es256', 'JWT ES256', 0.5);
  atLeast('introspection', 'remote introspection, keep-alive', 0.7);
  atLeast('introspection-cached', 'introspection cache hit', 0.93);
  atLeast('verified-cache', 'verified-token cache hit', 0.93);

  // issue 14, deliverable 9: DPoP against a floor that checks the proof and the token too
  issue = 14;
  shareOfFloor('dpop-memory', 'floor-dpop', 'DPoP, replay store in memory', 0.9);
  shareOfFloor('dpop-redis', 'floor-dpop', 'DPoP, replay store in Redis (the floor keeps its jtis in memory)', 0.9);

  issue = 15;
  const three = ratio('jwt-three-issuers');
  const one = ratio('jwt-rs256');
  if (three !== undefined && one !== undefined) {
    add({
      target: 'JWT RS256, three issuers ≥ 0.97 × the single issuer’s ratio (same run)',
      measured: `${(three / one).toFixed(2)} (${times(three)} vs ${times(one)})`,
      met: three >= 0.97 * one,
      scenario: 'jwt-three-issuers',
      minRatio: 0.97 * one,
    });
  }
  return checks;
}

/** The highest ratio a target asks of each scenario: the tick the chart draws on its bar. */
export function chartTargets(checks: readonly TargetCheck[]): Map<ScenarioId, number> {
  const ticks = new Map<ScenarioId, number>();
  for (const { scenario, minRatio } of checks) {
    if (scenario === undefined || minRatio === undefined) continue;
    ticks.set(scenario, Math.max(minRatio, ticks.get(scenario) ?? 0));
  }
  return ticks;
}

export function times(value: number): string {
  return `${value.toFixed(2)}×`;
}
