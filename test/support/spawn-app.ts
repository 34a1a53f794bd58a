import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A sample app started from the build output with `npm run start:<app>`, as an operator would. */
export interface SpawnedApp {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Runs `npm run start:<app>` with only `env` (plus PATH) and waits for it to listen. */
export async function spawnApp(app: string, env: Record<string, string>, timeoutMs = 15_000): Promise<SpawnedApp> {
  const port = Number(env.PORT ?? (await freePort()));
  const child = spawn('npm', ['run', '--silent', `start:${app}`], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends npm and node together
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not start:\n${output}`)), timeoutMs);
    const check = () => {
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited with ${code}:\n${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop: () => stop(child) };
}

/** Runs `npm run start:<app>` expecting it to exit; resolves with its exit code and output. */
export function runToExit(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', `start:${app}`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
}
