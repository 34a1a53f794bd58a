#!/usr/bin/env node
/**
 * Consumer matrix: packs nest-resource-server as `npm pack` ships it, installs the tarball into
 * fixture apps outside the repository (so nothing resolves through the monorepo's node_modules),
 * then, per fixture: builds with `tsc`, boots `main.js` on port 0, and runs its e2e spec.
 *
 *   node test/consumers/run.mjs                 every fixture
 *   node test/consumers/run.mjs commonjs vitest  only these
 *   CONSUMERS_KEEP=1 node test/consumers/run.mjs keep the work directory (kept anyway on failure)
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const LIBRARY = fileURLToPath(new URL('../../libs/resource-server/', import.meta.url));
const NODE = process.execPath;
const tsc = (project) => [NODE, 'node_modules/typescript/bin/tsc', '-p', project];
const jest = (config, esm = false) => [
  NODE,
  ...(esm ? ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'] : []),
  'node_modules/jest/bin/jest.js',
  '--config',
  config,
  '--ci',
  '--runInBand',
];
const vitest = (dir) => [NODE, 'node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.config.e2e.ts', dir];

/** Each fixture: the app folder it shares an install with, and how to build, boot and test it. */
const FIXTURES = [
  {
    name: 'commonjs',
    app: 'nest11',
    about: 'Nest 11, classic tsconfig (module commonjs), its .d.ts checked too, Jest with CommonJS ts-jest',
    build: tsc('commonjs/tsconfig.json'),
    // skipLibCheck off and noImplicitAny on: a type the package's .d.ts needs but does not declare fails here
    declarations: tsc('commonjs/tsconfig.declarations.json'),
    main: 'dist/commonjs/src/main.js',
    test: jest('commonjs/jest-e2e.json'),
  },
  {
    name: 'nodenext',
    app: 'nest11',
    about: 'Nest 11, module/moduleResolution nodenext (TypeScript 5.9), Jest with CommonJS ts-jest',
    build: tsc('nodenext/tsconfig.json'),
    main: 'dist/nodenext/src/main.js',
    test: jest('nodenext/jest-e2e.json'),
  },
  {
    name: 'esm-jest',
    app: 'nest12',
    about: 'Nest 12 ESM ("type": "module", nodenext), Jest with ts-jest useESM',
    build: tsc('esm-jest/tsconfig.json'),
    main: 'dist/esm-jest/src/main.js',
    test: jest('esm-jest/jest-e2e.json', true),
  },
  {
    name: 'vitest',
    app: 'nest12',
    about: 'Nest 12 ESM, Vitest as `nest new` sets it up',
    build: tsc('vitest/tsconfig.json'),
    main: 'dist/vitest/src/main.js',
    test: vitest('test/'),
  },
  {
    name: 'fastify',
    app: 'nest12',
    about: 'Nest 12 ESM on @nestjs/platform-fastify, Vitest',
    build: tsc('fastify/tsconfig.json'),
    main: 'dist/fastify/src/main.js',
    env: { HTTP_PLATFORM: 'fastify' },
    test: vitest('test/'),
  },
];

/** The parent `npm run` leaks its own package and lifecycle into the environment: drop them. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^npm_(package_|lifecycle_|config_workspaces?$|command$)|^INIT_CWD$/i.test(key),
  ),
);

/** Runs a command; resolves with its combined output, rejects with it (and the exit code) on failure. */
function run(argv, { cwd, env = {}, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env: { ...cleanEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs / 1000}s]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => reject(Object.assign(error, { output })));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(Object.assign(new Error(`${argv.join(' ')} exited with ${code ?? signal}`), { output }));
    });
  });
}

/** Starts the built app on port 0, checks a public route, a guarded one and readiness, stops it. */
async function boot(fixture, cwd) {
  const child = spawn(NODE, [fixture.main], {
    cwd,
    env: { ...cleanEnv, ...fixture.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no "listening on" line within 30 s')), 30_000);
      const onData = (chunk) => {
        output += chunk;
        const match = /listening on (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`app exited with ${code} before listening`));
      });
    });
    const health = await fetch(`${url}/health`);
    const guarded = await fetch(`${url}/me`);
    const challenge = guarded.headers.get('www-authenticate') ?? '';
    // main.js points at an issuer nothing answers (127.0.0.1:9): terminus says not ready
    const ready = await fetch(`${url}/health/ready`);
    const readiness = await ready.text();
    if (
      health.status !== 200 ||
      guarded.status !== 401 ||
      !challenge.startsWith('Bearer realm=') ||
      ready.status !== 503 ||
      !readiness.includes('"status":"error"')
    ) {
      throw new Error(
        `GET /health ${health.status}, GET /me ${guarded.status} "${challenge}", GET /health/ready ${ready.status} ` +
          `${readiness} (want 200, 401 Bearer realm=..., 503 {"status":"error",...})`,
      );
    }
    return `${url}: /health 200, /me 401 ${challenge}, /health/ready 503`;
  } catch (error) {
    throw Object.assign(error, { output });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * The package's command as installed (`npx nest-resource-server doctor`): its bin links and
 * loads against this app's Nest. A token that is no JWS is refused before any fetch, so the
 * check needs no authorization server: exit 1, last line `refused: token_malformed`.
 */
function doctor(cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(cwd, 'node_modules', '.bin', 'nest-resource-server'),
      ['doctor', '--issuer', 'http://127.0.0.1:1', '--audience', 'api', 'not-a-jws'],
      { cwd, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => reject(Object.assign(error, { output })));
    child.on('close', (code) => {
      const last = output.trimEnd().split('\n').pop();
      if (code === 1 && last === 'refused: token_malformed') resolve(output);
      else reject(Object.assign(new Error(`doctor exited with ${code}, last line "${last}"`), { output }));
    });
  });
}

const seconds = (start) => `${((performance.now() - start) / 1000).toFixed(1)}s`;
const tail = (text, lines = 60) => text.trimEnd().split('\n').slice(-lines).join('\n');

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !FIXTURES.some((fixture) => fixture.name === name));
  if (unknown.length > 0)
    throw new Error(`unknown fixture ${unknown.join(', ')}; known: ${FIXTURES.map((f) => f.name).join(', ')}`);
  const selected = FIXTURES.filter((fixture) => names.length === 0 || names.includes(fixture.name));
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'nrs-consumers-'));
  console.log(`consumer matrix in ${work}`);

  let step = performance.now();
  await run(['npm', 'pack', '--silent', '--pack-destination', work], { cwd: LIBRARY });
  const tarball = join(
    work,
    readdirSync(work).find((file) => file.endsWith('.tgz')),
  );
  console.log(`packed ${tarball} (${seconds(step)})`);

  // one install per app folder, shared by its fixtures; the folders install side by side
  step = performance.now();
  const apps = [...new Set(selected.map((fixture) => fixture.app))];
  const installs = new Map(
    apps.map((app) => {
      const cwd = join(work, app);
      cpSync(join(HERE, app), cwd, {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
      });
      const flags = ['--no-audit', '--no-fund', '--prefer-offline'];
      const install = run(['npm', 'ci', ...flags], { cwd })
        .then(() => run(['npm', 'install', '--no-save', ...flags, tarball], { cwd }))
        .then(
          () => ({ ok: true }),
          (error) => ({ ok: false, error }),
        );
      return [app, install];
    }),
  );
  for (const [app, install] of installs) {
    const result = await install;
    if (!result.ok) console.log(`install of ${app} failed:\n${tail(result.error.output ?? String(result.error))}`);
  }
  console.log(`installed ${apps.join(', ')} (${seconds(step)})`);

  const results = [];
  for (const fixture of selected) {
    const cwd = join(work, fixture.app);
    const begun = performance.now();
    const failures = [];
    if (!(await installs.get(fixture.app)).ok) failures.push({ step: 'install', output: '(see above)' });
    const steps = [
      ['build', () => run(fixture.build, { cwd, env: fixture.env })],
      ['boot', () => boot(fixture, cwd)],
      ['doctor', () => doctor(cwd)],
      ['test', () => run(fixture.test, { cwd, env: fixture.env })],
      ['declarations', () => fixture.declarations && run(fixture.declarations, { cwd })],
    ];
    // after a failed install or build nothing else can run; boot, test and declarations each still report
    for (const [name, action] of steps) {
      if (failures.some((failure) => failure.step === 'install' || failure.step === 'build')) break;
      try {
        await action();
      } catch (error) {
        failures.push({ step: name, output: `${error.message}\n${error.output ?? ''}` });
      }
    }
    results.push({ fixture, failures });
    const verdict = failures.length ? `FAIL (${failures.map((failure) => failure.step).join(', ')})` : 'PASS';
    console.log(`${verdict.padEnd(14)} ${fixture.name.padEnd(9)} ${seconds(begun).padStart(6)}  ${fixture.about}`);
    for (const failure of failures) console.log(tail(failure.output).replace(/^/gm, '    '));
  }

  const failed = results.filter((result) => result.failures.length > 0);
  console.log(
    `\nconsumer matrix: ${results.length - failed.length}/${results.length} passed in ${seconds(started)}` +
      (failed.length ? ` (failed: ${failed.map((r) => r.fixture.name).join(', ')})` : ''),
  );
  if (failed.length > 0 || process.env.CONSUMERS_KEEP) console.log(`work directory kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error.output ? `${error.message}\n${tail(error.output)}` : error);
  process.exitCode = 1;
});
