import { startAuthServer, type RunningAuthServer } from '../../apps/auth-server/src/auth-server.js';
import { HelpApiModule } from '../../apps/help-api/src/help-api.module.js';
import type { ResourceServerOptions } from 'nest-resource-server';
import { TodoApiModule } from '../../apps/todo-api/src/todo-api.module.js';
import { startSampleApp, type RunningApp } from './sample-app.js';

/** How the stack of `startDemoStack()` is laid out. */
export interface DemoStackOptions {
  /** Where auth-server listens, and the host of its issuer `http://<host>:<port>`. */
  readonly host: 'localhost' | '127.0.0.1';
  /** Lifetime of the access tokens auth-server issues, in seconds. */
  readonly accessTokenTtlSeconds: number;
  /** Origin of the `web` client (its redirect URIs). Default: `http://localhost:3000`. */
  readonly webOrigin?: string;
  /** Origin of the `bff` client (its redirect URIs). Default: `http://localhost:3005`. */
  readonly bffOrigin?: string;
  /** `HOST` of todo-api and help-api. Default: 127.0.0.1; a browser test uses the cookie's host. */
  readonly apiHost?: 'localhost' | '127.0.0.1';
  /** `CORS_ORIGINS` of todo-api and help-api. Default: unset (no CORS). */
  readonly corsOrigins?: string;
  /**
   * `OAUTH_DPOP` of todo-api and help-api. Default: `allowed`, as `npm start` runs them (the BFF's
   * DPoP-bound tokens and the web app's bearer cookies both work).
   */
  readonly dpop?: 'off' | 'allowed' | 'required';
  /** More contract variables for todo-api and help-api (e.g. `OAUTH_CLOCK_TOLERANCE`). */
  readonly apiEnv?: Readonly<Record<string, string>>;
  /** Module options of todo-api and help-api that no variable sets (e.g. a `clock` a test moves). */
  readonly apiOptions?: Partial<ResourceServerOptions>;
}

/** The running stack; `close()` stops all three. */
export interface DemoStack {
  /** The issuer URL, `http://<host>:<port>`: every token's `iss` and the APIs' `OAUTH_ISSUER`. */
  readonly issuer: string;
  readonly auth: RunningAuthServer;
  /** todo-api, JWT strategy. */
  readonly todoApi: RunningApp;
  /** help-api, introspection strategy as client `help-api` / `help-secret`. */
  readonly helpApi: RunningApp;
  close(): Promise<void>;
}

/**
 * Starts the demo's core in-process, each on port 0: the dev authorization server, todo-api
 * (JWT) and help-api (introspection), the APIs configured by their contract variables as
 * `npm start` does (DPoP `allowed` unless `dpop` says otherwise).
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  // no issuer given: it is http://<host>:<the port it got>
  const auth = await startAuthServer({
    port: 0,
    host: options.host,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    webOrigin: options.webOrigin ?? 'http://localhost:3000',
    bffOrigin: options.bffOrigin ?? 'http://localhost:3005',
  });
  const issuer = auth.url;
  const env = {
    ...(options.apiHost ? { HOST: options.apiHost } : {}),
    OAUTH_ISSUER: issuer,
    ...(options.corsOrigins ? { CORS_ORIGINS: options.corsOrigins } : {}),
    OAUTH_DPOP: options.dpop ?? 'allowed',
    ...options.apiEnv,
  };
  const started: { close(): Promise<void> }[] = [auth];
  const close = async () => {
    for (const app of [...started].reverse()) await app.close();
  };
  try {
    const todoApi = await startSampleApp(
      (o) => TodoApiModule.forRoot(o),
      { port: 3001, audience: 'todo-api' },
      env,
      options.apiOptions,
    );
    started.push(todoApi);
    const helpApi = await startSampleApp(
      (o) => HelpApiModule.forRoot(o),
      { port: 3002, audience: 'help-api' },
      { ...env, OAUTH_STRATEGY: 'introspection', OAUTH_CLIENT_ID: 'help-api', OAUTH_CLIENT_SECRET: 'help-secret' },
      options.apiOptions,
    );
    started.push(helpApi);
    return { issuer, auth, todoApi, helpApi, close };
  } catch (error) {
    await close();
    throw error;
  }
}
