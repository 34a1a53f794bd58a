#!/usr/bin/env node
// `npm start`: builds (incrementally), then runs the whole demo on embedded defaults and
// stops every app on Ctrl-C. Each app is started with its own `npm run start:<app>` and
// configured only by the contract's environment variables, as an operator would.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const WEB = 'http://localhost:3000';
const ISSUER = 'http://localhost:4000';
const ACCESS_TOKEN_TTL = process.env.ACCESS_TOKEN_TTL ?? '60';
const SESSION_SECRET = process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url');

const APPS = [
  {
    name: 'auth-server',
    color: 35,
    env: { PORT: '4000', AUTH_ISSUER: ISSUER, WEB_ORIGIN: WEB, BFF_ORIGIN: 'http://localhost:3005', ACCESS_TOKEN_TTL },
  },
  { name: 'todo-api', color: 32, env: { PORT: '3001', OAUTH_ISSUER: ISSUER, CORS_ORIGINS: WEB } },
  {
    name: 'help-api',
    color: 36,
    env: {
      PORT: '3002',
      OAUTH_ISSUER: ISSUER,
      OAUTH_STRATEGY: 'introspection',
      OAUTH_CLIENT_ID: 'help-api',
      OAUTH_CLIENT_SECRET: 'help-secret',
      CORS_ORIGINS: WEB,
    },
  },
  {
    name: 'proxy',
    color: 34,
    env: { PORT: '3004', OAUTH_ISSUER: ISSUER, UPSTREAM_URL: 'http://127.0.0.1:3001', CORS_ORIGINS: WEB },
  },
  {
    name: 'bff',
    color: 31,
    // with REDIS_URL exported the BFF keeps sessions in Redis and needs a shared secret
    env: { PORT: '3005', BFF_ORIGIN: 'http://localhost:3005', OAUTH_ISSUER: ISSUER, SESSION_SECRET: SESSION_SECRET },
  },
  {
    name: 'web',
    color: 33,
    env: {
      PORT: '3000',
      WEB_ORIGIN: WEB,
      OAUTH_ISSUER: ISSUER,
      TODO_API_URL: 'http://localhost:3001',
      HELP_API_URL: 'http://localhost:3002',
      PROXY_URL: 'http://localhost:3004',
      BFF_URL: 'http://localhost:3005',
    },
  },
];

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [];
/** Per app: settles when npm, its shell and the app have all ended (every holder of the pipes). */
const closed = new Map();
let stopping = false;

/** Stops every app, and exits only once their ports are free. */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) signalGroup(child, 'SIGTERM');
  // an app that ignores SIGTERM must not outlive the demo, holding its port
  setTimeout(() => {
    for (const child of children) signalGroup(child, 'SIGKILL');
    process.exit(code);
  }, 5000).unref();
  Promise.all(children.map((child) => closed.get(child))).then(() => process.exit(code));
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the whole group has ended already
  }
}

const ready = APPS.map(
  (app) =>
    new Promise((resolve) => {
      const child = spawn('npm', ['run', '--silent', `start:${app.name}`], {
        env: { ...process.env, ...app.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // a process group per app, so Ctrl-C stops npm and node together
      });
      children.push(child);
      closed.set(child, new Promise((r) => child.on('close', r)));
      const prefix = `\x1b[${app.color}m[${app.name}]\x1b[0m `;
      const relay = (stream, out) => {
        let rest = '';
        stream.on('data', (chunk) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop();
          for (const line of lines) {
            out.write(prefix + line + '\n');
            if (/listening on/.test(line)) resolve();
          }
        });
      };
      relay(child.stdout, process.stdout);
      relay(child.stderr, process.stderr);
      child.on('exit', (code) => {
        if (!stopping) {
          console.error(`${prefix}exited with code ${code}; stopping the demo`);
          stopAll(1);
        }
      });
    }),
);

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

await Promise.all(ready);
console.log(`
  Demo running. Open ${WEB}

  Dev users (username / password):
    alice / alice   role admin   (may delete todos)
    bob   / bob     role support (sees every ticket at help-api /admin/tickets)
    carol / carol   no role

  todo-api  http://localhost:3001  (JWT strategy)
  help-api  http://localhost:3002  (introspection strategy)
  proxy     http://localhost:3004/api/*  (validates the cookie, forwards to todo-api at 127.0.0.1)
  bff       http://localhost:3005  (server-side sessions: the browser never sees a token)
  auth      ${ISSUER}  (oidc-provider, access tokens live ${ACCESS_TOKEN_TTL} s)

  Ctrl-C stops everything.
`);
