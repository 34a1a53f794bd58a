import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** A `redis-server` of the test's own, which the test may stop and start again on the same port. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM) and resolves once it has exited: connections are refused from then on. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence), and resolves once it accepts connections. */
  start(): Promise<void>;
}

/**
 * Starts `redis-server --port <p> --save "" --appendonly no` on loopback. Redis cannot listen on
 * port 0, so the port is one the kernel just handed out and released; a port taken meanwhile
 * makes the start fail and it tries another (only for the first start: a restart keeps its port).
 */
export async function startTestRedis(): Promise<TestRedis> {
  for (let attempt = 1; ; attempt++) {
    const port = await releasedPort();
    let child: ChildProcess | undefined;
    const start = async () => {
      child = await launch(port);
    };
    try {
      await start();
    } catch (error) {
      if (attempt >= 5) throw error;
      continue;
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      start,
      stop: async () => {
        const running = child;
        child = undefined;
        if (!running || running.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
        running.kill('SIGTERM');
        await exited;
      },
    };
  }
}

async function releasedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function launch(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`redis-server on port ${port} exited (${code}): ${output.slice(-500)}`)),
    );
  });
}
