import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import autocannon, { type Result } from 'autocannon';
import type { DpopProofCounts } from './dpop-proofs.js';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** One measured window against one server. */
export interface Window {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Server CPU (user + system, all its threads) over the window, per request. */
  readonly cpuMicrosPerRequest: number;
  /** Server CPU time / wall time: near 1 when the server core is the bottleneck. */
  readonly serverBusy: number;
  /** Busy share of each core over the window (anything running on it, not only ours). */
  readonly coreBusy: readonly number[];
  readonly non2xx: number;
  readonly errors: number;
  /** DPoP scenarios: the proofs of the warm-up and the window, and what signing them cost. */
  readonly dpop?: DpopProofCounts;
}

/** What the requests look like. */
export interface Load {
  readonly url: string;
  /** `Authorization` values, one per connection in turn (one value: every connection sends it). */
  readonly authorizations: readonly string[];
  readonly connections: number;
  /** Headers of each request's own (a DPoP proof), added to the connection's: the request is built anew each time. */
  readonly perRequest?: () => Record<string, string>;
}

/** Warms a server up: load without measuring. Returns the requests answered. */
export async function warmUp(load: Load, seconds: number): Promise<number> {
  return seconds > 0 ? (await cannon(load, seconds)).requests.total : 0;
}

/** One window of `seconds` with autocannon, reading the server's CPU from `/proc/<pid>/stat` around it. */
export async function measure(load: Load, serverPid: number, seconds: number): Promise<Window> {
  const cpuBefore = processCpuSeconds(serverPid);
  const coresBefore = coreTimes();
  const started = process.hrtime.bigint();
  const latencies: number[] = [];
  const result = await cannon(load, seconds, latencies);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = processCpuSeconds(serverPid) - cpuBefore;
  const coresAfter = coreTimes();
  const requests = result.requests.total;
  return {
    requests,
    seconds: wall,
    requestsPerSecond: requests / wall,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuMicrosPerRequest: requests > 0 ? (cpu * 1e6) / requests : NaN,
    serverBusy: cpu / wall,
    coreBusy: coresAfter.map((after, i) => {
      const before = coresBefore[i] ?? after;
      const total = after.total - before.total;
      return total > 0 ? (total - (after.idle - before.idle)) / total : 0;
    }),
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

// autocannon's histogram keeps whole milliseconds; loopback latencies need the fractions
function cannon(load: Load, seconds: number, latencies?: number[]): Promise<Result> {
  const { perRequest } = load;
  return new Promise((resolve, reject) => {
    let connection = 0;
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: seconds,
        setupClient: (client) =>
          client.setHeaders({ authorization: load.authorizations[connection++ % load.authorizations.length]! }),
        // autocannon calls this for every request it sends (never resending a built one)
        ...(perRequest
          ? {
              requests: [
                { setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...perRequest() } }) },
              ],
            }
          : {}),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies) {
      instance.on('response', (_client: unknown, _status: number, _bytes: number, milliseconds: number) => {
        latencies.push(milliseconds);
      });
    }
  });
}

function percentile(values: number[], share: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Per-core jiffies from /proc/stat: total and idle (idle + iowait). */
function coreTimes(): { total: number; idle: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const values = line.split(/\s+/).slice(1, 9).map(Number);
      return { total: values.reduce((a, b) => a + b, 0), idle: values[3]! + values[4]! };
    });
}
