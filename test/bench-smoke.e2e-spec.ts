import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

// `npm test` builds first; CI never runs the full benchmark, only this short one
const built = existsSync('dist/bench/run.js') && existsSync('dist/bench/apps/main.js');
const TIME_LIMIT_MS = 15_000;

/** Runs `npm run bench` with `env`; kills it (and fails) past the time limit. */
function runBench(
  env: Record<string, string>,
  timeLimitMs = TIME_LIMIT_MS,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: npm, the runner and the server end together
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`npm run bench took more than ${timeLimitMs} ms:\n${output}`));
    }, timeLimitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const docsModified = () => (existsSync('docs/benchmarks.md') ? statSync('docs/benchmarks.md').mtimeMs : undefined);

describe('npm run bench (from the build)', () => {
  it('starts a server, measures the bare route and prints a req/s figure above 0, leaving the docs alone', async () => {
    if (!built) throw new Error('run `npm run build` first (npm test does)');
    const docsBefore = docsModified();
    const { code, output } = await runBench({
      BENCH_SCENARIOS: 'bare',
      BENCH_DURATION: '1',
      BENCH_REPEATS: '1',
      BENCH_WARMUP: '1',
    });
    expect([code, output]).toEqual([0, expect.stringContaining('bare route, no guard')]);
    const figure = /^bare\s+round 1\/1\s+(\d+) req\/s .* (\d+(?:\.\d+)?) µs CPU\/req/m.exec(output);
    expect(figure).not.toBeNull();
    expect(Number(figure![1])).toBeGreaterThan(0);
    expect(Number(figure![2])).toBeGreaterThan(0);
    expect(docsModified()).toBe(docsBefore);
  }, 20_000);

  it('measures the Fastify group against its own bare route: our guard and @fastify/jwt answer 200, then a ratio each', async () => {
    if (!built) throw new Error('run `npm run build` first (npm test does)');
    // each server is checked before measuring (200 with the token, 401 without one or forged)
    const { code, output } = await runBench(
      {
        BENCH_SCENARIOS: 'fastify-bare,fastify-jwt-rs256,fastify-jwt-plugin',
        BENCH_DURATION: '1',
        BENCH_REPEATS: '1',
        BENCH_WARMUP: '0',
      },
      30_000,
    );
    expect([code, output]).toEqual([0, expect.stringContaining('Fastify (ratios to the bare Fastify route)')]);
    expect(output).not.toContain('Express (ratios');
    for (const id of ['fastify-bare', 'fastify-jwt-rs256', 'fastify-jwt-plugin']) {
      expect(output).toMatch(new RegExp(`^${id}\\s+round 1/1\\s+[1-9]\\d* req/s`, 'm'));
    }
    expect(output).toMatch(/^Fa\s+bare route, no guard\s+.*1\.00×/m);
    expect(output).toMatch(/^Fc\s+our JWT strategy, RS256\s+[\d,]+ \([^)]*\)\s+\d\.\d\d×/m);
    expect(output).toMatch(
      /^(met {4}|NOT MET) {2}\[issue 12, deliverable 7\] Fastify: JWT RS256 ahead of @fastify\/jwt/m,
    );
  }, 40_000);

  it('measures the DPoP scenarios against the DPoP floor: a fresh proof per request, memory and Redis stores, a ratio each', async () => {
    if (!built) throw new Error('run `npm run build` first (npm test does)');
    // each server is checked first: 200 with a fresh proof, 401 for the same proof again
    const ids = ['dpop-memory', 'dpop-redis', 'floor-dpop'];
    const { code, output } = await runBench(
      {
        BENCH_SCENARIOS: ['bare', ...ids].join(','),
        BENCH_DURATION: '1',
        BENCH_REPEATS: '1',
        BENCH_WARMUP: '0',
        ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      },
      40_000,
    );
    expect([code, output]).toEqual([0, expect.stringContaining('Express (ratios to the bare Express route)')]);
    for (const id of ids) {
      expect(output).toMatch(
        new RegExp(
          `^${id}\\s+round 1/1\\s+[1-9]\\d* req/s .* proofs [1-9]\\d* pre-signed \\(\\d+ µs each\\), \\d+ on the fly$`,
          'm',
        ),
      );
    }
    expect(output).toMatch(
      /^l\s+our JWT RS256 \+ DPoP proof \(ES256\), replay store in memory\s+[\d,]+ \([^)]*\)\s+\d\.\d\d×/m,
    );
    expect(output).toMatch(/^j²\s+minimal node:crypto guard \(floor\), RS256 \+ DPoP proof/m);
    for (const store of ['memory', 'Redis']) {
      expect(output).toMatch(
        new RegExp(
          `^(met {4}|NOT MET) {2}\\[issue 14, deliverable 9\\] DPoP, replay store in ${store}.* ≥ 0\\.90 × the floor's ratio: \\d\\.\\d\\d`,
          'm',
        ),
      );
    }
  }, 50_000);

  it('floods the memory replay store with distinct proofs and prints how many it holds', async () => {
    if (!built) throw new Error('run `npm run build` first (npm test does)');
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--expose-gc', 'dist/bench/replay-store-memory.js', '150000'],
        { timeout: 15_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(output).toMatch(
      /^Memory after 150,000 distinct DPoP proofs through the memory replay store .*: 100,000 entries held, .*; 50,000 refused with a 503 while full of live proofs\): bound held$/m,
    );
    // never an LRU's forgetting: both replays are refused, well within their window
    expect(output).toMatch(
      /^Replays after that flood, seconds later: the last proof it took refused, the first refused\. .*: replay protection held$/m,
    );
  }, 20_000);

  it('refuses an unknown scenario, naming it', async () => {
    const { code, output } = await runBench({ BENCH_SCENARIOS: 'bare,turbo' });
    expect(code).not.toBe(0);
    expect(output).toContain('BENCH_SCENARIOS: unknown scenario "turbo"');
  }, 20_000);
});
