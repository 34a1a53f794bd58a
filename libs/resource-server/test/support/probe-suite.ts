import { afterEach, beforeEach } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { ResourceServerOptions } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, type Platform } from './probe-app.js';

/** The audience every probe suite's issuer mints for and its apps accept. */
export const AUDIENCE = 'api';

/** Where each test's clock starts: 2026-01-01T00:00:00Z, in epoch milliseconds. */
export const START_MS = Date.UTC(2026, 0, 1);

/** What `useProbeSuite()` sets up around each test. */
export interface ProbeSuiteSetup {
  readonly platform: Platform;
  /** An RFC 7662 client the issuer accepts (client_secret_basic or _post). */
  readonly introspectionClient?: { readonly clientId: string; readonly clientSecret: string };
  /** Options every app of the suite gets, before those given to `start()`. */
  readonly defaults?: (issuer: TestIssuer) => Partial<ResourceServerOptions>;
}

/** A suite's state, fresh for each test. */
export interface ProbeSuite {
  /** This test's issuer on loopback (port 0), with keys of its own. */
  readonly issuer: TestIssuer;
  /** The time the apps and the issuer see, in epoch milliseconds: set it, never wait for it. */
  now: number;
  readonly clock: () => number;
  /** A probe app for this issuer and clock, closed after the test. */
  start(options?: Partial<ResourceServerOptions>): Promise<INestApplication>;
  /** `GET path` (default `/claims`) with `token` as `Authorization: Bearer`, or with no token. */
  get(app: INestApplication, token?: string, path?: string): request.Test;
}

/**
 * Registers the `beforeEach`/`afterEach` of a library e2e suite: a `TestIssuer` for audience
 * `api` whose clock the test sets (`suite.now`), and probe apps on `platform` that
 * `suite.start()` opens and the hook closes.
 * @example
 * describe.each(PLATFORMS)('JWT strategy (%s)', (platform) => {
 *   const suite = useProbeSuite({ platform });
 *   it('accepts a token of the issuer', async () => {
 *     const app = await suite.start();
 *     await suite.get(app, suite.issuer.token()).expect(200);
 *   });
 * });
 */
export function useProbeSuite(setup: ProbeSuiteSetup): ProbeSuite {
  const apps: INestApplication[] = [];
  let issuer: TestIssuer | undefined;
  const suite: ProbeSuite = {
    get issuer() {
      if (!issuer) throw new Error('the issuer exists only inside a test');
      return issuer;
    },
    now: START_MS,
    clock: () => suite.now,
    async start(options = {}) {
      const app = await createProbeApp(
        {
          issuer: suite.issuer.url,
          audience: AUDIENCE,
          clock: suite.clock,
          ...setup.defaults?.(suite.issuer),
          ...options,
        },
        { platform: setup.platform },
      );
      apps.push(app);
      return app;
    },
    get(app, token, path = '/claims') {
      const call = request(app.getHttpServer()).get(path);
      return token === undefined ? call : call.set('authorization', `Bearer ${token}`);
    },
  };
  beforeEach(async () => {
    suite.now = START_MS;
    issuer = await TestIssuer.start({ audience: AUDIENCE, clock: suite.clock });
    const client = setup.introspectionClient;
    if (client) issuer.addIntrospectionClient(client.clientId, client.clientSecret);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await issuer?.close();
    issuer = undefined;
  });
  return suite;
}
