#!/usr/bin/env node
// `npm start`: builds (incrementally), then runs the whole demo on embedded defaults and
// stops every app on Ctrl-C. Each app is started with its own `npm run start:<app>` and
// configured only by the contract's environment variables, as an operator would.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

// Each app on a host name of its own under one parent domain, as in production (web.example.com,
// todo.example.com, ...): Chromium and Firefox resolve every *.localhost name to loopback
// (RFC 6761), so nothing needs installing. Cookies ignore ports, so with every app on plain
// `localhost` each would receive every other's cookies; under distinct names a host-only
// cookie stays on its host, and only `app.at` (Domain=demo.localhost) reaches the APIs.
const PARENT_DOMAIN = 'demo.localhost';
const WEB = `http://web.${PARENT_DOMAIN}:3000`;
const TODO_API = `http://todo.${PARENT_DOMAIN}:3001`;
const HELP_API = `http://help.${PARENT_DOMAIN}:3002`;
const PROXY = `http://proxy.${PARENT_DOMAIN}:3004`;
const BFF = `http://bff.${PARENT_DOMAIN}:3005`;
// The issuer stays on `localhost`: the apps fetch discovery, the JWKS and the token endpoint
// from it server-side, and Node (glibc's resolver) does not resolve *.localhost names. It is
// still a host of its own: no other app of the demo is on `localhost`.
const ISSUER = 'http://localhost:4000';
const ACCESS_TOKEN_TTL = process.env.ACCESS_TOKEN_TTL ?? '60';
const SESSION_SECRET = process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url');
// the BFF binds its tokens to this key (DPoP); made here, as SESSION_SECRET is, so that with
// REDIS_URL exported every BFF replica would share it
const BFF_DPOP_KEY =
  process.env.BFF_DPOP_KEY ??
  JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
// id tokens never open an API: only RFC 9068 access tokens (typ at+jwt), which auth-server issues.
// CORS_ORIGINS is also the origins todo-api trusts with the cookie on its /live handshake (the web page's).
const API_ENV = { OAUTH_ISSUER: ISSUER, OAUTH_REQUIRE_AT_JWT: 'true', CORS_ORIGINS: WEB };

const APPS = [
  {
    name: 'auth-server',
    color: 35,
    env: { PORT: '4000', AUTH_ISSUER: ISSUER, WEB_ORIGIN: WEB, BFF_ORIGIN: BFF, ACCESS_TOKEN_TTL },
  },
  // DPoP allowed: the BFF's DPoP-bound tokens and the web page's bearer cookies both work
  { name: 'todo-api', color: 32, env: { PORT: '3001', ...API_ENV, OAUTH_DPOP: 'allowed' } },
  {
    name: 'help-api',
    color: 36,
    env: {
      PORT: '3002',
      ...API_ENV,
      OAUTH_DPOP: 'allowed',
      OAUTH_STRATEGY: 'introspection',
      OAUTH_CLIENT_ID: 'help-api',
      OAUTH_CLIENT_SECRET: 'help-secret',
    },
  },
  {
    name: 'proxy',
    color: 34,
    // the upstream by another name than the cookie's: todo-api never receives app.at from the proxy
    env: { PORT: '3004', ...API_ENV, UPSTREAM_URL: 'http://127.0.0.1:3001' },
  },
  {
    name: 'bff',
    color: 31,
    // with REDIS_URL exported the BFF keeps sessions in Redis and needs a shared secret
    env: { PORT: '3005', BFF_ORIGIN: BFF, OAUTH_ISSUER: ISSUER, SESSION_SECRET, BFF_DPOP_KEY },
  },
  {
    name: 'web',
    color: 33,
    env: {
      PORT: '3000',
      WEB_ORIGIN: WEB,
      OAUTH_ISSUER: ISSUER,
      TODO_API_URL: TODO_API,
      HELP_API_URL: HELP_API,
      PROXY_URL: PROXY,
      BFF_URL: BFF,
      // app.at must reach todo., help. and proxy.: the one cookie on the parent domain
      COOKIE_DOMAIN: PARENT_DOMAIN,
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
  (in Chromium, Chrome, Edge or Firefox: they resolve *.localhost to this machine)

  Dev users (username / password):
    alice / alice   role admin   (may delete todos)
    bob   / bob     role support (sees every ticket at help-api /admin/tickets)
    carol / carol   no role

  web       ${WEB}  (tokens in cookies: app.at on .${PARENT_DOMAIN}, the rest __Host-)
  todo-api  ${TODO_API}  (JWT strategy, at+jwt only, DPoP allowed; ws://…/live pushes todo changes)
  help-api  ${HELP_API}  (introspection strategy, at+jwt only, DPoP allowed)
  proxy     ${PROXY}/api/*  (validates the cookie, forwards to todo-api at 127.0.0.1)
  bff       ${BFF}  (server-side sessions: the browser never sees a token; DPoP-bound tokens; relays /live)

  Live updates: open a page in two tabs; a todo added in one shows in the other at once.
  auth      ${ISSUER}  (oidc-provider, access tokens live ${ACCESS_TOKEN_TTL} s)

  API docs  ${TODO_API}/docs and ${HELP_API}/docs (Swagger UI: routes, scopes, reasons)

  From a shell, use localhost (curl resolves *.localhost, Node does not): curl localhost:3001/health

  Ctrl-C stops everything.
`);
