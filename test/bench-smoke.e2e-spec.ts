import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

// `npm test` builds first; CI never runs the full benchmark, only this short one
const built = existsSync('dist/bench/run.js') && existsSync('dist/bench/apps/main.js');
const TIME_LIMIT_MS = 15_000;

/** Runs `npm run bench` with `env`; kills it (and fails) past the time limit. */
function runBench(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
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
      reject(new Error(`npm run bench took more than ${TIME_LIMIT_MS} ms:\n${output}`));
    }, TIME_LIMIT_MS);
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

  it('refuses an unknown scenario, naming it', async () => {
    const { code, output } = await runBench({ BENCH_SCENARIOS: 'bare,turbo' });
    expect(code).not.toBe(0);
    expect(output).toContain('BENCH_SCENARIOS: unknown scenario "turbo"');
  }, 20_000);
});
