import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PLATFORMS, SCENARIO_IDS, SCENARIOS, type ScenarioId } from './scenarios.js';

/** What one `npm run bench` does, read from `BENCH_*` variables. */
export interface BenchConfig {
  readonly scenarios: readonly ScenarioId[];
  /** Seconds of each measured window. */
  readonly durationSeconds: number;
  /** Seconds of unmeasured load on each fresh server before its window (JIT, caches, connections). */
  readonly warmupSeconds: number;
  /** Rounds: each starts every scenario's server once, in turn, so drift hits all of them alike. */
  readonly repeats: number;
  readonly connections: number;
  /**
   * DPoP scenarios: proofs signed ahead of each phase, per second of it (more than the server
   * answers, or the rest are signed during the load, on the load core).
   */
  readonly dpopProofsPerSecond: number;
  /** Also print the scale figures (JWKS flood, single flight, cache memory). */
  readonly scale: boolean;
  /** Write docs/benchmarks.md (results section) and docs/benchmarks.svg. */
  readonly writeDocs: boolean;
  /**
   * Root of another built checkout: each scenario also runs from its build, in the same
   * rounds, for before/after figures of a library change.
   */
  readonly baseline?: string;
}

/** Reads the configuration; a partial run (`BENCH_SCENARIOS`) skips the scale figures and the docs by default. */
export function benchConfigFromEnv(env: Record<string, string | undefined>): BenchConfig {
  const problems: string[] = [];
  const number = (name: string, fallback: number, min: number): number => {
    const text = env[name]?.trim();
    if (!text) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) {
      problems.push(`${name}: expected a number ≥ ${min}, got ${JSON.stringify(text)}`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const text = env[name]?.trim().toLowerCase();
    if (!text) return fallback;
    if (['1', 'true', 'yes'].includes(text)) return true;
    if (['0', 'false', 'no'].includes(text)) return false;
    problems.push(`${name}: expected true or false, got ${JSON.stringify(text)}`);
    return fallback;
  };
  // a platform's name stands for its whole group: BENCH_SCENARIOS=fastify
  const listed = env.BENCH_SCENARIOS?.split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .flatMap((id) => (id in PLATFORMS ? SCENARIO_IDS.filter((s) => SCENARIOS[s].platform === id) : [id]));
  for (const id of listed ?? []) {
    if (!(SCENARIO_IDS as readonly string[]).includes(id)) {
      problems.push(
        `BENCH_SCENARIOS: unknown scenario ${JSON.stringify(id)}; expected some of ${SCENARIO_IDS.join(', ')}, ` +
          `or a platform (${Object.keys(PLATFORMS).join(', ')}) for all of its scenarios`,
      );
    }
  }
  const full = listed === undefined || listed.length === 0;
  const config: BenchConfig = {
    scenarios: full ? SCENARIO_IDS : SCENARIO_IDS.filter((id) => listed.includes(id)),
    durationSeconds: number('BENCH_DURATION', 7, 1),
    warmupSeconds: number('BENCH_WARMUP', 3, 0),
    repeats: Math.round(number('BENCH_REPEATS', 7, 1)),
    connections: Math.round(number('BENCH_CONNECTIONS', 10, 1)),
    dpopProofsPerSecond: Math.round(number('BENCH_DPOP_RATE', 6000, 1)),
    scale: flag('BENCH_SCALE', full),
    writeDocs: flag('BENCH_WRITE_DOCS', full),
    baseline: env.BENCH_BASELINE?.trim() || undefined,
  };
  if (config.baseline && !existsSync(join(config.baseline, 'dist/bench/apps/main.js'))) {
    problems.push(`BENCH_BASELINE: no dist/bench/apps/main.js under ${config.baseline} (build it first)`);
  }
  if (problems.length > 0) throw new Error(`bench configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
