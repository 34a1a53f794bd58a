import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { TestIssuer } from 'nest-resource-server/testing';
import { LOAD_CORE, SERVER_CORE, HAS_TASKSET, startNode } from './processes.js';

/** Figures that show the bounds hold under load, printed and written to the docs. */
export interface ScaleFigures {
  readonly lines: readonly string[];
}

const AUDIENCE = 'bench-api';

/** JWKS flood, single flight, cache memory, and the DPoP replay store under a flood of proofs. */
export async function scaleFigures(floodSeconds: number): Promise<ScaleFigures> {
  const lines = [
    await jwksFlood(floodSeconds),
    ...(await singleFlight(100)),
    ...(await linesOf('./cache-memory.js', 1_000_000)),
    ...(await linesOf('./replay-store-memory.js', 2_000_000)),
  ];
  return { lines };
}

/** Requests with tokens whose `kid` the JWKS does not have: each could trigger a fetch. */
async function jwksFlood(seconds: number): Promise<string> {
  const issuer = await TestIssuer.start({ audience: AUDIENCE });
  const server = await startNode('./apps/main.js', { BENCH_APP: appConfig(issuer, {}) }, SERVER_CORE);
  try {
    const valid = issuer.token({ expiresInSeconds: 3600 });
    if ((await get(server.url, valid)) !== 200) throw new Error('jwks flood: a valid token was refused');
    const before = issuer.jwksFetches;
    const tokens = Array.from({ length: 500 }, () =>
      issuer.token({ header: { kid: randomUUID() }, expiresInSeconds: 3600 }),
    );
    let next = 0;
    const result = await new Promise<Result>((resolve, reject) =>
      autocannon(
        {
          url: `${server.url}/hello`,
          connections: 10,
          duration: seconds,
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` },
              }),
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      ),
    );
    const refused = result.statusCodeStats['401']?.count ?? 0;
    const stillValid = (await get(server.url, valid)) === 200;
    const total = result.requests.total.toLocaleString('en-US');
    return (
      `JWKS fetches under a flood of unknown kids: ${issuer.jwksFetches} in all (limit: 10 in any 60 s), ` +
      `the start-up fetch and ${issuer.jwksFetches - before} during ${seconds} s of ${total} requests carrying ` +
      `${tokens.length} distinct unknown kids (${refused.toLocaleString('en-US')} answered 401); ` +
      `a valid token ${stillValid ? 'still answered 200' : 'was REFUSED'} afterwards: ` +
      (issuer.jwksFetches <= 10 && stillValid ? 'bound held' : 'BOUND BROKEN')
    );
  } finally {
    await server.stop();
    await issuer.close();
  }
}

/** N concurrent requests with one token the server has not seen: how many introspection calls? */
async function singleFlight(concurrent: number): Promise<string[]> {
  const lines: string[] = [];
  for (const cacheTtlSeconds of [0, 300]) {
    const issuer = await TestIssuer.start({ audience: AUDIENCE });
    issuer.addIntrospectionClient('bench-api', 'bench-secret');
    issuer.introspectionDelayMs = 100; // so that the requests overlap
    const server = await startNode(
      './apps/main.js',
      {
        BENCH_APP: appConfig(issuer, {
          strategy: 'introspection',
          introspection: {
            endpoint: issuer.introspectionEndpoint,
            clientId: 'bench-api',
            clientSecret: 'bench-secret',
            cacheTtlSeconds,
          },
        }),
      },
      SERVER_CORE,
    );
    try {
      const token = issuer.opaqueToken({ expiresInSeconds: 3600 });
      const statuses = await Promise.all(Array.from({ length: concurrent }, () => get(server.url, token)));
      const ok = statuses.filter((status) => status === 200).length;
      lines.push(
        `Introspection calls for ${concurrent} concurrent requests with one new token ` +
          `(cache ${cacheTtlSeconds > 0 ? `on, ${cacheTtlSeconds} s` : 'off'}): ${issuer.introspectionCalls} ` +
          `(${ok} of ${concurrent} answered 200): ` +
          (issuer.introspectionCalls === 1 && ok === concurrent ? 'bound held' : 'BOUND BROKEN'),
      );
    } finally {
      await server.stop();
      await issuer.close();
    }
  }
  return lines;
}

/**
 * The lines a memory figure prints (`cache-memory.js`: 1 M distinct tokens through each
 * in-memory cache; `replay-store-memory.js`: 2 M distinct proofs through the memory replay
 * store), run in a process of its own with `--expose-gc`.
 */
async function linesOf(file: string, count: number): Promise<string[]> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const args = ['--expose-gc', script, String(count)];
  const [command, argv] = HAS_TASKSET
    ? ['taskset', ['-c', String(LOAD_CORE), process.execPath, ...args]]
    : [process.execPath, args];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${file} exited with ${code}`))));
  });
  return output
    .trim()
    .split('\n')
    .filter((line) => line !== '');
}

function appConfig(issuer: TestIssuer, options: Record<string, unknown>): string {
  return JSON.stringify({
    platform: 'express',
    kind: 'resource-server',
    public: false,
    options: { issuer: issuer.url, jwksUri: issuer.jwksUri, audience: AUDIENCE, ...options },
  });
}

async function get(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/hello`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}
