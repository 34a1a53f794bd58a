import { spawn, type ChildProcess } from 'node:child_process';

/** A sample app started from the build output with `npm run start:<app>`, as an operator would. */
export interface SpawnedApp {
  /** Where it listens, as its start-up line says: `http://<host>:<port>`. */
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * An app's start-up line, `<app> listening on http://host:port (...)` (auth-server prints
 * `host:port` without the scheme, and `*` when it listens on every interface).
 */
const LISTENING = /^(\S+) listening on (?:https?:\/\/)?(\[[^\]]+\]|[^\s:/]+):(\d+)/m;

/** The URL an app's start-up line names, or undefined before that line. */
export function listeningUrl(output: string): string | undefined {
  const match = LISTENING.exec(output);
  if (!match) return undefined;
  const [, , host = '', port] = match;
  const reachable = ['*', '0.0.0.0', '[::]'].includes(host) ? '127.0.0.1' : host;
  return `http://${reachable}:${port}`;
}

/**
 * Runs `npm run start:<app>` with only `env` (plus PATH) and waits for it to listen. Unless
 * `env` says otherwise it listens on 127.0.0.1, port 0, and `url` is what its start-up line
 * reports, so parallel test workers never contend for a port.
 */
export async function spawnApp(app: string, env: Record<string, string>, timeoutMs = 15_000): Promise<SpawnedApp> {
  const child = spawn('npm', ['run', '--silent', `start:${app}`], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends npm and node together
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${app} did not start:\n${output}`)), timeoutMs);
      const check = () => {
        const listening = listeningUrl(output);
        if (listening) {
          clearTimeout(timer);
          resolve(listening);
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${app} exited with ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { url, output: () => output, stop: () => stop(child) };
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
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
}
