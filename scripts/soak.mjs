// Soak run, not a test: `npm run build && npm run soak` (SOAK_SECONDS, default 60).
//
// 1. Starts the built todo-api (JWT) and help-api (introspection, cache on) against a
//    TestIssuer from the built library, drives both on loopback with autocannon using
//    valid, badly signed, expired and unknown-kid JWTs and valid and unknown opaque
//    tokens, samples each server's RSS from /proc, and checks every class got exactly
//    its expected status (valid 200, the rest 401) and never a 5xx.
// 2. In this process, pushes 1,000,000 distinct tokens through the introspection cache
//    (max 10,000 entries) and 1,000,000 distinct unknown kids through the JWKS key store,
//    and reports sizes, fetches and heap before and after.
// Exits 1 when a check fails.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUILT = {
  todoApi: `${root}dist/apps/todo-api/src/main.js`,
  helpApi: `${root}dist/apps/help-api/src/main.js`,
  testing: `${root}libs/resource-server/dist/testing/index.js`,
  library: `${root}libs/resource-server/dist/index.js`,
  cachingIntrospector: `${root}libs/resource-server/dist/introspection/caching-token-introspector.js`,
  memoryCache: `${root}libs/resource-server/dist/introspection/memory-introspection-cache.js`,
};
for (const file of Object.values(BUILT)) {
  if (!existsSync(file)) {
    console.error(`soak: ${file} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const SAMPLE_MS = 2000;
const CONNECTIONS_PER_CLASS = 2;
const HELP_SECRET = 'soak-help-api-secret';
const CACHE_TTL_SECONDS = 30;
if (!(SECONDS > 0)) {
  console.error(`soak: SOAK_SECONDS: expected seconds, got ${JSON.stringify(process.env.SOAK_SECONDS)}`);
  process.exit(1);
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const problems = [];
const check = (ok, text) => {
  if (!ok) problems.push(text);
};
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const { TestIssuer } = await import(BUILT.testing);
const { JwksKeyStore } = await import(BUILT.library);
const { CachingTokenIntrospector } = await import(BUILT.cachingIntrospector);
const { MemoryIntrospectionCache } = await import(BUILT.memoryCache);

const issuer = await TestIssuer.start({ audience: 'todo-api' });
issuer.addIntrospectionClient('help-api', HELP_SECRET);
const servers = [];
try {
  const todo = await startServer('todo-api', BUILT.todoApi, { OAUTH_ISSUER: issuer.url });
  servers.push(todo);
  const help = await startServer('help-api', BUILT.helpApi, {
    OAUTH_ISSUER: issuer.url,
    OAUTH_STRATEGY: 'introspection',
    OAUTH_CLIENT_ID: 'help-api',
    OAUTH_CLIENT_SECRET: HELP_SECRET,
    OAUTH_INTROSPECTION_CACHE_TTL: String(CACHE_TTL_SECONDS),
  });
  servers.push(help);
  await soakHttp(todo, help);
} finally {
  for (const server of servers) server.stop();
  await issuer.close();
}
await soakIntrospectionCache();
await soakJwksKeyStore();

console.log('');
if (problems.length > 0) {
  console.log(`SOAK FAILED (${problems.length}):`);
  for (const problem of problems) console.log(`  - ${problem}`);
  process.exit(1);
}
console.log('SOAK PASSED');

async function soakHttp(todo, help) {
  const lifetime = SECONDS + 600;
  const now = Math.floor(Date.now() / 1000);
  const foreign = TestIssuer.foreignKey();
  const many = (n, make) => Array.from({ length: n }, make);
  const badSignature = (token) => {
    const [h, p, s] = token.split('.');
    const bytes = Buffer.from(s, 'base64url');
    bytes[10] ^= 0xff;
    return `${h}.${p}.${bytes.toString('base64url')}`;
  };
  const classes = [
    {
      name: 'jwt valid',
      server: todo,
      path: '/me',
      expected: 200,
      tokens: many(50, () => issuer.token({ expiresInSeconds: lifetime })),
    },
    {
      name: 'jwt bad signature',
      server: todo,
      path: '/me',
      expected: 401,
      tokens: many(50, () => badSignature(issuer.token({ expiresInSeconds: lifetime }))),
    },
    {
      name: 'jwt expired',
      server: todo,
      path: '/me',
      expected: 401,
      tokens: many(50, () => issuer.token({ claims: { exp: now - 3600, iat: now - 7200 } })),
    },
    {
      name: 'jwt unknown kid',
      server: todo,
      path: '/me',
      expected: 401,
      tokens: many(2000, () => issuer.token({ key: { ...foreign, kid: randomUUID() }, expiresInSeconds: lifetime })),
    },
    {
      name: 'opaque valid',
      server: help,
      path: '/tickets',
      expected: 200,
      tokens: many(200, () => issuer.opaqueToken({ claims: { aud: 'help-api' }, expiresInSeconds: lifetime })),
    },
    {
      name: 'opaque unknown',
      server: help,
      path: '/tickets',
      expected: 401,
      tokens: many(20_000, () => randomBytes(24).toString('base64url')),
    },
  ];

  const samples = [];
  const sample = () =>
    samples.push({ t: (performance.now() - started) / 1000, todo: rssOf(todo.pid), help: rssOf(help.pid) });
  const started = performance.now();
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  const results = await Promise.all(
    classes.map((c) =>
      autocannon({
        url: c.server.url,
        connections: CONNECTIONS_PER_CLASS,
        duration: SECONDS,
        requests: c.tokens.map((token) => ({
          method: 'GET',
          path: c.path,
          headers: { authorization: `Bearer ${token}` },
        })),
      }),
    ),
  );
  clearInterval(timer);
  sample();

  console.log(`\n== HTTP soak: ${SECONDS} s, ${CONNECTIONS_PER_CLASS} connections per class, loopback ==`);
  console.log('class              requests   req/s   p99 ms   errors  timeouts  statuses');
  let total = 0;
  classes.forEach((c, i) => {
    const r = results[i];
    const statuses = Object.entries(r.statusCodeStats ?? {})
      .map(([status, { count }]) => `${status}: ${count}`)
      .join(', ');
    total += r.requests.total;
    console.log(
      `${c.name.padEnd(18)} ${String(r.requests.total).padStart(8)} ${String(Math.round(r.requests.average)).padStart(7)} ${String(r.latency.p99).padStart(8)} ${String(r.errors).padStart(8)} ${String(r.timeouts).padStart(9)}  ${statuses}`,
    );
    const unexpected = Object.entries(r.statusCodeStats ?? {}).filter(([status]) => Number(status) !== c.expected);
    check(unexpected.length === 0, `${c.name}: expected only ${c.expected}, got ${statuses}`);
    check(r.errors === 0 && r.timeouts === 0, `${c.name}: ${r.errors} errors, ${r.timeouts} timeouts`);
    check(r.requests.total > 0, `${c.name}: no request completed`);
    check(r['5xx'] === 0, `${c.name}: ${r['5xx']} answers were 5xx`);
  });
  console.log(`total              ${String(total).padStart(8)}`);
  const minutes = Math.ceil(SECONDS / 60);
  console.log(
    `issuer: ${issuer.jwksFetches} JWKS fetches (limit 10 a minute, ${minutes} min), ${issuer.introspectionCalls} introspection calls`,
  );
  check(issuer.jwksFetches <= 10 * minutes + 1, `JWKS fetched ${issuer.jwksFetches} times in ${minutes} min`);

  for (const server of [todo, help]) {
    const curve = samples.map((s) => s[server.name === 'todo-api' ? 'todo' : 'help']);
    const peak = Math.max(...curve);
    console.log(
      `${server.name} RSS: start ${mib(curve[0])}, peak ${mib(peak)}, end ${mib(curve.at(-1))}; ` +
        `error log lines: ${server.errorLines()}`,
    );
    console.log(
      `  curve (every ${SAMPLE_MS / 1000} s, MiB): ${curve.map((b) => (b / 1024 / 1024).toFixed(0)).join(' ')}`,
    );
    check(server.errorLines() === 0, `${server.name} logged ${server.errorLines()} error lines`);
    check(server.exitCode() === null, `${server.name} exited (${server.exitCode()})`);
  }
}

async function soakIntrospectionCache() {
  const TOKENS = 1_000_000;
  const MAX_ENTRIES = 10_000;
  let calls = 0;
  const stub = {
    async introspect(token) {
      calls++;
      return { active: true, sub: token.slice(0, 8), aud: 'help-api', exp: Math.floor(Date.now() / 1000) + 3600 };
    },
  };
  const cache = new MemoryIntrospectionCache(MAX_ENTRIES, Date.now);
  const introspector = new CachingTokenIntrospector(stub, cache, {
    cacheTtlSeconds: 60,
    inactiveCacheTtlSeconds: 5,
    clock: Date.now,
  });
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  let peakHeap = before;
  for (let i = 0; i < TOKENS; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, j) => introspector.introspect(`opaque-token-${i + j}`)));
    if (i % 100_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - started) / 1000;
  const callsAfterFlood = calls;
  // the most recent entries are still served from the cache
  for (let i = TOKENS - 1000; i < TOKENS; i++) await introspector.introspect(`opaque-token-${i}`);
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`\n== introspection cache: ${TOKENS.toLocaleString('en')} distinct tokens ==`);
  console.log(
    `MemoryIntrospectionCache(max ${MAX_ENTRIES}) size ${cache.size}; inner calls ${callsAfterFlood.toLocaleString('en')}; ` +
      `the last 1000 again: ${calls - callsAfterFlood} inner calls; ${seconds.toFixed(1)} s`,
  );
  console.log(`heap: before ${mib(before)}, peak sampled ${mib(peakHeap)}, after ${mib(after)} (after gc)`);
  check(cache.size <= MAX_ENTRIES, `introspection cache holds ${cache.size} entries (max ${MAX_ENTRIES})`);
  check(callsAfterFlood === TOKENS, `introspection: ${callsAfterFlood} inner calls for ${TOKENS} distinct tokens`);
  check(calls === callsAfterFlood, 'introspection: recent tokens were not served from the cache');
  check(after - before < 64 * 1024 * 1024, `introspection cache: heap grew by ${mib(after - before)}`);
}

async function soakJwksKeyStore() {
  const KIDS = 1_000_000;
  const SIMULATED_MINUTES = 10;
  const jwksIssuer = await TestIssuer.start();
  try {
    let now = Date.now();
    const store = new JwksKeyStore({
      jwksUri: jwksIssuer.jwksUri,
      discovery: { get: () => Promise.reject(new Error('not used: jwksUri is set')) },
      timeoutMs: 5000,
      maxFetchesPerMinute: 10,
      refreshIntervalSeconds: 600,
      clock: () => now,
    });
    // key() answers at once when the set holds the kid, else with a promise (after a fetch)
    const keyFor = async (kid, alg) => store.key(kid, alg);
    await keyFor(jwksIssuer.currentKey.kid, jwksIssuer.currentKey.alg);
    gc();
    const before = process.memoryUsage().heapUsed;
    const perMinute = [];
    const stepMs = (SIMULATED_MINUTES * 60_000) / (KIDS / 1000);
    let minuteStart = now;
    let fetchesAtMinuteStart = jwksIssuer.jwksFetches;
    let refused = 0;
    const started = performance.now();
    for (let i = 0; i < KIDS; i += 1000) {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, j) => keyFor(`unknown-kid-${i + j}`, 'RS256')),
      );
      refused += outcomes.filter((o) => o.status === 'rejected' && o.reason?.status === 401).length;
      now += stepMs;
      if (now - minuteStart >= 60_000) {
        perMinute.push(jwksIssuer.jwksFetches - fetchesAtMinuteStart);
        minuteStart = now;
        fetchesAtMinuteStart = jwksIssuer.jwksFetches;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const known = await keyFor(jwksIssuer.currentKey.kid, jwksIssuer.currentKey.alg).then(
      () => true,
      () => false,
    );
    gc();
    const after = process.memoryUsage().heapUsed;
    console.log(
      `\n== JWKS key store: ${KIDS.toLocaleString('en')} distinct unknown kids over ${SIMULATED_MINUTES} simulated minutes ==`,
    );
    console.log(
      `refused 401: ${refused.toLocaleString('en')}; JWKS fetches per minute: ${perMinute.join(' ')} (max ${Math.max(...perMinute)}); ` +
        `known kid still served: ${known}; ${seconds.toFixed(1)} s`,
    );
    console.log(`heap: before ${mib(before)}, after ${mib(after)} (after gc)`);
    check(refused === KIDS, `JWKS: ${KIDS - refused} unknown kids were not refused with 401`);
    check(Math.max(...perMinute) <= 10, `JWKS: ${Math.max(...perMinute)} fetches in one minute`);
    check(known, 'JWKS: the known kid stopped working');
    check(after - before < 16 * 1024 * 1024, `JWKS key store: heap grew by ${mib(after - before)}`);
  } finally {
    await jwksIssuer.close();
  }
}

/**
 * Starts a built app with `node` on port 0 of loopback (the kernel picks a free port, so
 * nothing can take it between choosing and listening), and reads its URL from the line it
 * prints once it listens.
 */
async function startServer(name, main, env) {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errorLines = 0;
  let startup = '';
  const count = (chunk) => {
    const text = chunk.toString();
    if (startup.length < 10_000) startup += text;
    errorLines += (text.match(/\bERROR\b/g) ?? []).length;
  };
  child.stdout.on('data', count);
  child.stderr.on('data', count);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${startup}`)), 15_000);
    const ready = () => {
      const listening = /listening on (http:\/\/[^\s/]+)/.exec(startup);
      if (listening) {
        clearTimeout(timer);
        child.stdout.off('data', ready);
        resolve(listening[1]);
      }
    };
    child.stdout.on('data', ready);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${startup}`));
    });
  });
  return {
    name,
    pid: child.pid,
    url,
    errorLines: () => errorLines,
    exitCode: () => child.exitCode,
    stop: () => child.exitCode === null && child.kill('SIGTERM'),
  };
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}
