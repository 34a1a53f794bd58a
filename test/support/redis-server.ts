import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A `redis-server` of the test's own, on a port of its own, that the test may stop and start again. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (the port stays its: `start()` listens on it again). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/**
 * Starts `redis-server` on a loopback port of its own, with no persistence. redis-server
 * cannot report a port it picked itself (`--port 0` turns TCP off), and a stopped server's
 * port must stay free until `start()`, so the port is picked where nothing else takes one
 * (see {@link candidatePort}); if something holds it anyway, another is tried.
 */
export async function startTestRedis(): Promise<TestRedis> {
  for (let attempt = 0; ; attempt++) {
    const port = candidatePort();
    let child: ChildProcess;
    try {
      child = await launch(port);
    } catch (error) {
      if (attempt < 4) continue;
      throw error;
    }
    handedOut.add(port);
    const redis: TestRedis = {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () => halt(child),
      start: async () => {
        child = await launch(port);
      },
    };
    return redis;
  }
}

/** Polls `probe` until it returns true, at most `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ports of this process's test Redis servers, stopped ones included: never picked again. */
const handedOut = new Set<number>();

/**
 * A port below the kernel's ephemeral range, which `listen(0)` and outgoing connections draw
 * from, so no other socket of the tests takes it while the server is stopped; in a band of
 * 1,000 ports per Jest worker, so that two workers never pick the same one.
 */
function candidatePort(): number {
  const [low = 32_768] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const worker = Number(process.env.JEST_WORKER_ID ?? '1') % 10;
  const base = Math.max(low, 11_024) - 10_000 + worker * 1_000;
  for (;;) {
    const port = base + Math.floor(Math.random() * 1_000);
    if (!handedOut.has(port)) return port;
  }
}

function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server on ${port} did not start:\n${output}`));
    }, 15_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on ${port} exited with ${code}:\n${output}`));
    });
  });
}

function halt(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
