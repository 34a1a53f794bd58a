import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import prettier from 'prettier';
import { DpopTestKey, TestIssuer } from 'nest-resource-server/testing';
import type { BenchAppConfig, BenchPlatform } from './apps/bench-app-config.js';
import { ratioChart } from './chart.js';
import { benchConfigFromEnv, type BenchConfig } from './config.js';
import { DpopProofPool } from './dpop-proofs.js';
import { describeMachine, machineLine, type Machine } from './machine.js';
import { measure, warmUp, type Load, type Window } from './measure.js';
import { LOAD_CORE, REPO_ROOT, rerunPinned, SERVER_CORE, startNode, type NodeChild } from './processes.js';
import { countAndClearKeys } from './redis-keys.js';
import { markdownResults, textScale, textTable, textTargets } from './report.js';
import { scaleFigures, type ScaleFigures } from './scale.js';
import { SCENARIOS, type BenchIssuers, type ScenarioId } from './scenarios.js';
import { chartTargets, checkTargets, summarize, type Measured, type Summary, type TargetCheck } from './summary.js';

const AUDIENCE = 'bench-api';
const CLIENT = { clientId: 'bench-api', clientSecret: 'bench-secret' };
const DOCS_BEGIN = '<!-- bench:results:begin -->';
const DOCS_END = '<!-- bench:results:end -->';
const RESULTS = join(REPO_ROOT, 'dist/bench/last-results.json');
/** The run's results section as markdown, written by every run (a partial one leaves the docs alone). */
const RESULTS_MARKDOWN = join(REPO_ROOT, 'dist/bench/last-results.md');

/** A scenario, from this build or the baseline's. */
interface Target {
  readonly id: ScenarioId;
  readonly baseline: boolean;
}

/** What a run measured, kept in `dist/bench/last-results.json` so that `BENCH_RENDER` can report it again. */
interface Results {
  readonly machine: Machine;
  readonly config: BenchConfig;
  readonly measured: readonly Measured[];
  readonly scale?: ScaleFigures;
}

async function main(): Promise<void> {
  // BENCH_RENDER=<results file>: report a past run again (say, after a change to the report)
  if (process.env.BENCH_RENDER) {
    const past = JSON.parse(readFileSync(process.env.BENCH_RENDER, 'utf8')) as Results & { summaries?: Measured[] };
    const writeDocs = process.env.BENCH_WRITE_DOCS ? process.env.BENCH_WRITE_DOCS === '1' : past.config.writeDocs;
    const measured = (past.measured ?? past.summaries ?? []).map((m) => ({ ...m, scenario: SCENARIOS[m.scenario.id] }));
    return report({ ...past.config, writeDocs }, past.machine, measured, past.scale);
  }
  const pinnedRun = rerunPinned();
  if (pinnedRun) process.exit(await pinnedRun);

  const config = benchConfigFromEnv(process.env);
  const machine = describeMachine();
  console.log(`nest-resource-server bench: ${machineLine(machine)}`);
  console.log(
    `scenarios: ${config.scenarios.join(', ')}; ${config.connections} connections; warm-up ${config.warmupSeconds} s, ` +
      `${config.repeats} × ${config.durationSeconds} s windows` +
      (config.baseline ? `; each also from the build in ${config.baseline}` : ''),
  );

  const rs256 = await TestIssuer.start({ audience: AUDIENCE });
  const es256 = await TestIssuer.start({ audience: AUDIENCE, algorithm: 'ES256' });
  const more = await Promise.all([0, 1].map(() => TestIssuer.start({ audience: AUDIENCE })));
  // one client of the DPoP scenarios: its ES256 key, and an RS256 token bound to it (cnf.jkt)
  const dpopKey = DpopTestKey.generate('ES256');
  const children: NodeChild[] = [];
  try {
    // one token for the JWT scenarios (a client reuses its token); an opaque token per
    // connection, or single flight would fold the concurrent introspection calls into one
    const opaque = Array.from({ length: config.connections }, () => randomBytes(32).toString('base64url'));
    const tokens = {
      rs256: [rs256.token({ expiresInSeconds: 24 * 3600 })],
      es256: [es256.token({ expiresInSeconds: 24 * 3600 })],
      opaque,
      'opaque-shared': opaque.slice(0, 1),
      // one token per connection in turn, from each of the three issuers
      'rs256-three-issuers': [rs256, ...more].map((issuer) => issuer.token({ expiresInSeconds: 24 * 3600 })),
      dpop: [rs256.token({ expiresInSeconds: 24 * 3600, dpop: dpopKey })],
    };
    let endpoint = 'http://127.0.0.1:9/introspect';
    if (config.scenarios.some((id) => SCENARIOS[id].token.startsWith('opaque'))) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: rs256.url, sub: 'user-1', aud: AUDIENCE, iat: now, exp: now + 24 * 3600, scope: 'openid' };
      const as = await startNode(
        './introspection-endpoint.js',
        {
          BENCH_INTROSPECTION: JSON.stringify({
            ...CLIENT,
            tokens: Object.fromEntries(opaque.map((token) => [token, { ...claims, token_type: 'Bearer' }])),
          }),
        },
        LOAD_CORE,
      );
      children.push(as);
      endpoint = `${as.url}/introspect`;
    }
    const issuers: BenchIssuers = {
      audience: AUDIENCE,
      rs256: { url: rs256.url, jwksUri: rs256.jwksUri },
      es256: { url: es256.url, jwksUri: es256.jwksUri },
      introspection: { endpoint, ...CLIENT },
      more: more.map((issuer) => ({ url: issuer.url, jwksUri: issuer.jwksUri })),
      // a prefix of this run's own, so that bench keys meet no one else's (and none of another run)
      dpopRedis: {
        url: process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
        keyPrefix: `nest-resource-server-bench:${randomBytes(6).toString('base64url')}:dpop:`,
      },
    };

    const baselinePlatforms = config.baseline
      ? await platformsOf(config.baseline, config.scenarios)
      : new Set<BenchPlatform>();
    const targets: Target[] = config.scenarios.flatMap((id) => {
      const { group, platform } = SCENARIOS[id];
      // the bare route runs no library code: its baseline twin would measure nothing new
      const twin = baselinePlatforms.has(platform) && group !== 'reference';
      return [false, ...(twin ? [true] : [])].map((baseline) => ({ id, baseline }));
    });
    const windows = new Map<Target, Window[]>(targets.map((t) => [t, []]));
    for (let round = 0; round < config.repeats; round++) {
      // a fresh server per window: one process's luck (memory layout, JIT) differs from
      // another's by more than the effects measured here; and only one server is alive at a time
      for (const target of rotate(targets, round)) {
        const window = await measureOnce(target, issuers, tokens[SCENARIOS[target.id].token], dpopKey, config);
        windows.get(target)!.push(window);
        const proofs = window.dpop
          ? `  proofs ${window.dpop.presigned} pre-signed (${window.dpop.microsPerProof.toFixed(0)} µs each), ` +
            `${window.dpop.signedDuringLoad} on the fly`
          : '';
        console.log(
          `${(target.baseline ? `${target.id}@baseline` : target.id).padEnd(21)} round ${round + 1}/${config.repeats}  ` +
            `${Math.round(window.requestsPerSecond)} req/s  p50 ${window.p50.toFixed(2)} ms  p99 ${window.p99.toFixed(2)} ms  ` +
            `${window.cpuMicrosPerRequest.toFixed(1)} µs CPU/req  cores ${window.coreBusy.map((b) => `${Math.round(b * 100)}%`).join('/')}` +
            proofs,
        );
      }
    }

    const measured = targets.map((t) => ({
      scenario: SCENARIOS[t.id],
      baseline: t.baseline,
      windows: windows.get(t)!,
    }));
    const scale = config.scale ? await scaleFigures(Math.min(10, config.durationSeconds)) : undefined;
    machine.load.end = loadavg()[0]!;
    writeFileSync(RESULTS, JSON.stringify({ machine, config, measured, scale }, null, 2));
    await report(config, machine, measured, scale);
  } finally {
    for (const child of children) await child.stop();
    await rs256.close();
    await es256.close();
    for (const issuer of more) await issuer.close();
  }
}

/** Prints the table, the targets and the scale figures; writes the docs when asked to. */
async function report(
  config: BenchConfig,
  machine: Machine,
  measured: readonly Measured[],
  scale: ScaleFigures | undefined,
): Promise<void> {
  const summaries = summarize(measured);
  const checks = checkTargets(summaries);
  console.log(`\n${machineLine(machine)}\n\n${textTable(summaries)}\n`);
  if (checks.length > 0) console.log(`${textTargets(checks)}\n`);
  if (scale) console.log(`${textScale(scale)}\n`);
  writeFileSync(RESULTS_MARKDOWN, `${markdownResults(summaries, checks, scale, machine, config)}\n`);
  if (config.writeDocs) await writeDocs(config, summaries, checks, scale, machine);
}

/** Starts the target's server, checks it, warms it up, measures one window, stops it. */
async function measureOnce(
  target: Target,
  issuers: BenchIssuers,
  tokens: readonly string[],
  dpopKey: DpopTestKey,
  config: BenchConfig,
): Promise<Window> {
  const scenario = SCENARIOS[target.id];
  const app: BenchAppConfig = { platform: scenario.platform, ...scenario.app(issuers) };
  const server = await startApp(target.baseline ? config.baseline : undefined, app);
  try {
    const served = servedPlatform(server);
    if (served !== scenario.platform) {
      throw new Error(`${target.id}: the server runs on ${served}, expected ${scenario.platform}`);
    }
    const url = `${server.url}/hello`;
    if (scenario.token === 'dpop') {
      return await measureDpop(target.id, server, app, new DpopProofPool(dpopKey, tokens[0]!, url), config);
    }
    for (const token of tokens) await preflight(target.id, server.url, token, scenario.protected);
    const authorizations = tokens.map((token) => `Bearer ${token}`);
    const load: Load = { url, authorizations, connections: config.connections };
    await warmUp(load, config.warmupSeconds);
    return checked(target.id, await measure(load, server.pid, config.durationSeconds));
  } finally {
    await server.stop();
  }
}

/** A window of the measured load, refused if any answer was not a 2xx. */
function checked(id: ScenarioId, window: Window): Window {
  if (window.non2xx > 0 || window.errors > 0) {
    throw new Error(`${id}: ${window.non2xx} non-2xx answers and ${window.errors} errors while measuring`);
  }
  return window;
}

/**
 * A DPoP scenario's window: every request with the bound token and a proof of its own, signed
 * ahead of each phase for what `BENCH_DPOP_RATE` requests a second would use. With the Redis
 * replay store, the keys it holds afterwards are counted: one per proof accepted, or the
 * server was not using it.
 */
async function measureDpop(
  id: ScenarioId,
  server: NodeChild,
  app: BenchAppConfig,
  proofs: DpopProofPool,
  config: BenchConfig,
): Promise<Window> {
  const options = app.kind === 'resource-server' ? app.options : {};
  const redis =
    typeof options.dpopRedisUrl === 'string' && typeof options.dpopRedisKeyPrefix === 'string'
      ? { url: options.dpopRedisUrl, keyPrefix: options.dpopRedisKeyPrefix }
      : undefined;
  const token = proofs.accessToken;
  await dpopPreflight(id, server.url, token, proofs);
  const load: Load = {
    url: proofs.url,
    authorizations: [`DPoP ${token}`],
    connections: config.connections,
    perRequest: () => ({ dpop: proofs.take() }),
  };
  const poolFor = (seconds: number) => Math.ceil(seconds * config.dpopProofsPerSecond) + config.connections;
  proofs.fill(poolFor(config.warmupSeconds));
  const warm = await warmUp(load, config.warmupSeconds);
  proofs.fill(poolFor(config.durationSeconds));
  const window = checked(id, await measure(load, server.pid, config.durationSeconds));
  if (redis) {
    const keys = await countAndClearKeys(redis.url, redis.keyPrefix);
    const accepted = 1 + warm + window.requests; // the pre-flight's one, the warm-up's, the window's
    if (keys < accepted) {
      throw new Error(`${id}: Redis held ${keys} proof keys after ${accepted} proofs were accepted`);
    }
  }
  return { ...window, dpop: proofs.counts() };
}

/** Starts a bench server: this build's, or the one of the checkout at `baselineRoot`. */
function startApp(baselineRoot: string | undefined, app: BenchAppConfig): Promise<NodeChild> {
  const script = baselineRoot ? join(baselineRoot, 'dist/bench/apps/main.js') : './apps/main.js';
  return startNode(script, { BENCH_APP: JSON.stringify(app) }, SERVER_CORE);
}

/** The platform a bench server announced (`READY <port> <platform>`); a build from before Fastify announces none. */
function servedPlatform(server: NodeChild): BenchPlatform {
  return /READY \d+ (express|fastify)\b/.exec(server.output())?.[1] === 'fastify' ? 'fastify' : 'express';
}

/**
 * The platforms the baseline build can serve, of those the run needs: one that predates the
 * Fastify scenarios serves Express whatever it is asked, so its Fastify twins are left out (said
 * on the console) rather than measured on the wrong platform.
 */
async function platformsOf(root: string, scenarios: readonly ScenarioId[]): Promise<Set<BenchPlatform>> {
  const platforms = new Set<BenchPlatform>(['express']);
  if (!scenarios.some((id) => SCENARIOS[id].platform === 'fastify')) return platforms;
  const probe = await startApp(root, { platform: 'fastify', kind: 'bare' });
  const served = servedPlatform(probe);
  await probe.stop();
  if (served === 'fastify') {
    platforms.add('fastify');
  } else {
    console.log(
      `BENCH_BASELINE: the build in ${root} has no Fastify bench app; Fastify scenarios run from this build only`,
    );
  }
  return platforms;
}

/** The targets starting at a different one each round, so that none always follows the same. */
function rotate<T>(items: readonly T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** The server answers as its scenario says, so a misconfigured one cannot post a fast 401 rate. */
async function preflight(id: ScenarioId, url: string, token: string, isProtected: boolean): Promise<void> {
  const status = async (authorization?: string) => {
    const response = await fetch(`${url}/hello`, { headers: authorization ? { authorization } : {} });
    const body = await response.text();
    if (response.status === 200 && body !== '{"hello":"world"}') throw new Error(`${id}: unexpected body ${body}`);
    return response.status;
  };
  const forged = token.includes('.') ? `${token.slice(0, -6)}AAAAAA` : `${token.slice(0, -6)}AAAAAA`;
  const expected: [string, string | undefined, number][] = [
    ['with its token', `Bearer ${token}`, 200],
    ['without a token', undefined, isProtected ? 401 : 200],
    ['with a forged token', `Bearer ${forged}`, isProtected ? 401 : 200],
  ];
  for (const [what, authorization, want] of expected) {
    const got = await status(authorization);
    if (got !== want) throw new Error(`${id}: answered ${got} ${what}, expected ${want}`);
  }
}

/**
 * A DPoP server answers as RFC 9449 says: 200 for the bound token with a fresh proof, 401 for
 * that proof again, for the token as a Bearer token, without a proof, for a forged token, and
 * for a proof made for another URL; so a server whose replay store forgets cannot post a rate.
 */
async function dpopPreflight(id: ScenarioId, url: string, token: string, proofs: DpopProofPool): Promise<void> {
  const proof = proofs.sign();
  const forged = `${token.slice(0, -6)}AAAAAA`;
  const expected: [string, Record<string, string>, number][] = [
    ['with its token and a fresh proof', { authorization: `DPoP ${token}`, dpop: proof }, 200],
    ['with the same proof again (a replay)', { authorization: `DPoP ${token}`, dpop: proof }, 401],
    ['with its token as a Bearer token', { authorization: `Bearer ${token}` }, 401],
    ['without a proof', { authorization: `DPoP ${token}` }, 401],
    ['with a forged token', { authorization: `DPoP ${forged}`, dpop: proofs.sign(undefined, forged) }, 401],
    ['with a proof for another URL', { authorization: `DPoP ${token}`, dpop: proofs.sign(`${url}/other`) }, 401],
  ];
  for (const [what, headers, want] of expected) {
    const response = await fetch(`${url}/hello`, { headers });
    const body = await response.text();
    if (response.status === 200 && body !== '{"hello":"world"}') throw new Error(`${id}: unexpected body ${body}`);
    if (response.status !== want) throw new Error(`${id}: answered ${response.status} ${what}, expected ${want}`);
  }
}

async function writeDocs(
  config: BenchConfig,
  summaries: readonly Summary[],
  checks: readonly TargetCheck[],
  scale: ScaleFigures | undefined,
  machine: Machine,
): Promise<void> {
  const docs = join(REPO_ROOT, 'docs');
  mkdirSync(docs, { recursive: true });
  const subtitle = `${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; median of ${config.repeats} rounds, ${config.connections} connections`;
  writeFileSync(
    join(docs, 'benchmarks.svg'),
    ratioChart(
      summaries.filter((s) => !s.baseline),
      subtitle,
      chartTargets(checks),
    ),
  );
  const page = join(docs, 'benchmarks.md');
  const generated = `${DOCS_BEGIN}\n\n${markdownResults(summaries, checks, scale, machine, config)}\n\n${DOCS_END}`;
  const current = existsSync(page) ? readFileSync(page, 'utf8') : `# Benchmarks\n\n${DOCS_BEGIN}\n${DOCS_END}\n`;
  const begin = current.indexOf(DOCS_BEGIN);
  const end = current.indexOf(DOCS_END);
  if (begin === -1 || end === -1) throw new Error(`${page} lost its ${DOCS_BEGIN} … ${DOCS_END} markers`);
  const text = current.slice(0, begin) + generated + current.slice(end + DOCS_END.length);
  // the repository's format check covers docs/: write the page as prettier would
  writeFileSync(page, await prettier.format(text, { ...(await prettier.resolveConfig(page)), filepath: page }));
  console.log(`wrote docs/benchmarks.md and docs/benchmarks.svg`);
}

await main();
