import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from `dist/bench/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** True when `taskset` (util-linux) can pin processes to a core. */
export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** The core the servers under test run on; the runner, autocannon and the authorization server use the other. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** A node process started by the bench, announced by a `READY <port>` line on stdout. */
export interface NodeChild {
  readonly pid: number;
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `node <script>` (a path under `dist/bench/`), pinned to `core` when taskset exists; waits for `READY <port>`. */
export async function startNode(
  script: string,
  env: Record<string, string>,
  core: number,
  timeoutMs = 30_000,
): Promise<NodeChild> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const [command, args] = HAS_TASKSET
    ? ['taskset', ['-c', String(core), process.execPath, path]]
    : [process.execPath, [path]];
  const child = spawn(command, args, {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /READY (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', exited);
        resolve(Number(match[1]));
      }
    };
    const exited = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', exited);
  });
  // taskset execs node, so the child's pid is the server's own (its /proc/<pid>/stat is what we read)
  return { pid: child.pid!, url: `http://127.0.0.1:${port}`, output: () => output, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs this script again pinned to the load core (so autocannon, the test issuers and
 * every thread the runner starts stay off the server core); resolves with its exit code,
 * or `undefined` when already pinned or taskset is missing.
 */
export function rerunPinned(): Promise<number> | undefined {
  if (!HAS_TASKSET || process.env.BENCH_PINNED === '1') return undefined;
  const child = spawn('taskset', ['-c', String(LOAD_CORE), process.execPath, ...process.argv.slice(1)], {
    env: { ...process.env, BENCH_PINNED: '1' },
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
