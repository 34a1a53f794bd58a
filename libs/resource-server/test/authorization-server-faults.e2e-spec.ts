import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { HttpFault } from 'nest-resource-server/testing';
import type request from 'supertest';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

/** The configured time limit of each call to the authorization server, and what a request may add to it. */
const LIMIT_MS = 400;
const MARGIN_MS = 600;
const CLIENT = { clientId: 'probe-api', clientSecret: 'probe-secret' };

// Jest hands each test file a copy of `process`; the host realm's Function reaches the
// process Node reports unhandled rejections and uncaught exceptions to.
const hostProcess = new (setTimeout.constructor as FunctionConstructor)('return process')() as NodeJS.Process;

/**
 * The authorization server misbehaving on real sockets: bodies too large, lying about
 * their length, dripping, reset mid-way; JWKS documents without a usable key; a key
 * dropped; discovery hanging or missing. Each time: the documented answer (503, or the
 * cached keys), recovery without restart, no request waiting past the time limit, and
 * no unhandled rejection. Complements jwks.e2e-spec.ts and introspection.e2e-spec.ts.
 */
describe.each(PLATFORMS)('authorization server faults (%s)', (platform) => {
  const suite = useProbeSuite({
    platform,
    introspectionClient: CLIENT,
    defaults: () => ({ httpTimeoutMs: LIMIT_MS }),
  });
  const start = suite.start;
  const failures: { event: string; error: unknown }[] = [];
  const onRejection = (error: unknown) => failures.push({ event: 'unhandledRejection', error });
  const onException = (error: unknown) => failures.push({ event: 'uncaughtException', error });

  beforeAll(() => {
    hostProcess.on('unhandledRejection', onRejection);
    hostProcess.on('uncaughtException', onException);
  });
  afterAll(() => {
    hostProcess.off('unhandledRejection', onRejection);
    hostProcess.off('uncaughtException', onException);
  });

  /** GET /claims with the token, asserting it took no longer than the time limit plus the margin. */
  async function get(app: INestApplication, token: string) {
    const started = performance.now();
    const response = await suite.get(app, token);
    expect(performance.now() - started).toBeLessThan(LIMIT_MS + MARGIN_MS);
    return response;
  }

  function expectUnavailable(response: request.Response): void {
    expect(response.status).toBe(503);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'temporarily_unavailable',
      error_description: 'authorization server unavailable',
    });
  }

  const WIRE_FAULTS: HttpFault[] = [
    'huge',
    'huge-chunked',
    'length-understated',
    'length-overstated',
    'drip',
    'reset-mid-body',
  ];

  describe('JWKS endpoint misbehaving on the wire', () => {
    it.each(WIRE_FAULTS)(
      'answers 503 within the time limit when the JWKS answers %s before any key was fetched, then recovers',
      async (fault) => {
        suite.issuer.failRoute('/jwks', fault);
        const app = await start({ jwksUri: suite.issuer.jwksUri });
        expectUnavailable(await get(app, suite.issuer.token()));
        expect(suite.issuer.jwksFetches).toBeGreaterThanOrEqual(1);
        suite.issuer.failRoute('/jwks', undefined);
        expect((await get(app, suite.issuer.token())).status).toBe(200);
      },
    );

    it.each(WIRE_FAULTS)(
      'keeps the cached keys when the JWKS answers %s at refresh time, and refuses an unknown kid in time',
      async (fault) => {
        const app = await start({ jwksUri: suite.issuer.jwksUri });
        expect((await get(app, suite.issuer.token())).status).toBe(200);
        suite.issuer.failRoute('/jwks', fault);
        suite.now += 601_000; // the cached set is stale: each use starts a background refresh
        expect((await get(app, suite.issuer.token())).status).toBe(200);
        const rotated = suite.issuer.rotateKeys();
        const unknown = await get(app, suite.issuer.token({ key: rotated }));
        expect(unknown.status).toBe(401);
        expect(unknown.body.error_description).toBe('token signing key (kid) is unknown');
        suite.issuer.failRoute('/jwks', undefined);
        expect((await get(app, suite.issuer.token({ key: rotated }))).status).toBe(200);
      },
    );
  });

  describe('JWKS documents without a usable key', () => {
    let document: unknown;
    let published: { keys: Record<string, unknown>[] };
    const customJwks = () => `${suite.issuer.url}/custom-jwks`;

    beforeEach(async () => {
      published = (await (await fetch(suite.issuer.jwksUri)).json()) as typeof published;
      document = published;
      suite.issuer.route('/custom-jwks', (_req, res) => suite.issuer.json(res, document));
    });

    const key = () => published.keys[0]!;
    const junk: [string, () => unknown][] = [
      ['an empty keys array', () => ({ keys: [] })],
      ['no keys member', () => ({})],
      ['keys as a string', () => ({ keys: 'RS256' })],
      ['keys that are not objects', () => ({ keys: [null, 1, 'x', []] })],
      ['a top-level array of keys', () => [key()]],
      ['only a symmetric (oct) key', () => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'oct-1', alg: 'HS256' }] })],
      ['only an encryption key (use: enc)', () => ({ keys: [{ ...key(), use: 'enc' }] })],
      ['an RSA key without its exponent', () => ({ keys: [{ ...key(), e: undefined }] })],
      ['an EC key without its coordinates', () => ({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'ec-1', alg: 'ES256' }] })],
      ['a key without kid', () => ({ keys: [{ ...key(), kid: undefined }] })],
    ];

    it.each(junk)('answers 503 when the JWKS holds %s and no key was fetched, then recovers', async (_name, doc) => {
      document = doc();
      const app = await start({ jwksUri: customJwks() });
      expectUnavailable(await get(app, suite.issuer.token()));
      document = published;
      expect((await get(app, suite.issuer.token())).status).toBe(200);
    });

    it.each(junk)('keeps the cached keys when a refresh finds %s', async (_name, doc) => {
      const app = await start({ jwksUri: customJwks() });
      expect((await get(app, suite.issuer.token())).status).toBe(200);
      document = doc();
      suite.now += 601_000;
      expect((await get(app, suite.issuer.token())).status).toBe(200); // starts the refresh
      expect((await get(app, suite.issuer.token())).status).toBe(200); // the failed refresh kept the set
    });

    it('takes a JWKS of only an Ed25519 key as the issuer’s whole set: 401 unknown kid, not 503', async () => {
      const ed25519 = { kty: 'OKP', crv: 'Ed25519', x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs', kid: 'ed-1' };
      document = { keys: [ed25519] };
      const app = await start({ jwksUri: customJwks() });
      const refused = await get(app, suite.issuer.token());
      expect(refused.status).toBe(401);
      expect(refused.body.error_description).toBe('token signing key (kid) is unknown');
      document = { keys: [ed25519, key()] };
      expect((await get(app, suite.issuer.token())).status).toBe(200); // the unknown kid refetched the set
    });

    it('uses the good key of a JWKS that mixes it with keys it cannot use', async () => {
      document = {
        keys: [
          { kty: 'oct', k: 'c2VjcmV0', kid: 'oct-1' },
          { ...key(), kid: 'enc-1', use: 'enc' },
          { kty: 'EC', crv: 'P-256', kid: 'ec-1' },
          null,
          key(),
        ],
      };
      const app = await start({ jwksUri: customJwks() });
      expect((await get(app, suite.issuer.token())).status).toBe(200);
    });
  });

  describe('a JWKS that drops a key (injected clock)', () => {
    it('serves the cache while one shared refresh is in flight, then refuses the dropped key', async () => {
      const dropped = suite.issuer.currentKey;
      const kept = suite.issuer.rotateKeys();
      const app = await start({ jwksUri: suite.issuer.jwksUri, jwksRefreshIntervalSeconds: 600 });
      expect((await get(app, suite.issuer.token({ key: dropped }))).status).toBe(200);
      expect((await get(app, suite.issuer.token({ key: kept }))).status).toBe(200);
      const fetched = suite.issuer.jwksFetches;

      suite.issuer.removeKey(dropped.kid);
      const added = suite.issuer.addKey();
      suite.now += 601_000;
      const release = suite.issuer.holdRoute('/jwks');
      // ten requests with cached keys answer while the refresh is still held at the issuer
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, i) => get(app, suite.issuer.token({ key: i % 2 ? kept : dropped }))),
      );
      expect(burst.map((r) => r.status)).toEqual(Array(10).fill(200));
      await until(() => suite.issuer.jwksFetches === fetched + 1);
      // a new kid waits for that same refresh rather than starting another
      const waiting = get(app, suite.issuer.token({ key: added }));
      release();
      expect((await waiting).status).toBe(200);
      expect(suite.issuer.jwksFetches).toBe(fetched + 1);

      const refused = await get(app, suite.issuer.token({ key: dropped }));
      expect(refused.status).toBe(401);
      expect(refused.body.error_description).toBe('token signing key (kid) is unknown');
      expect((await get(app, suite.issuer.token({ key: kept }))).status).toBe(200);
    });
  });

  describe('discovery misbehaving', () => {
    const DISCOVERY = '/.well-known/openid-configuration';

    it.each<HttpFault>(['hang', 'not-found', 'drip', 'reset-mid-body', 'huge', 'length-overstated'])(
      'answers 503 within the time limit when discovery answers %s, then recovers without restart',
      async (fault) => {
        suite.issuer.failRoute(DISCOVERY, fault);
        const app = await start();
        expectUnavailable(await get(app, suite.issuer.token()));
        expect(suite.issuer.jwksFetches).toBe(0);
        suite.issuer.failRoute(DISCOVERY, undefined);
        expect((await get(app, suite.issuer.token())).status).toBe(200);
      },
    );

    it('lets concurrent requests share one hanging discovery call, each answered 503 in time', async () => {
      suite.issuer.failRoute(DISCOVERY, 'hang');
      const app = await start();
      const responses = await Promise.all(Array.from({ length: 8 }, () => get(app, suite.issuer.token())));
      for (const response of responses) expectUnavailable(response);
      expect(suite.issuer.hits.get(DISCOVERY)).toBe(1);
    });

    it('answers 503 within the time limit when discovery hangs for introspection, then recovers', async () => {
      suite.issuer.failRoute(DISCOVERY, 'hang');
      const app = await start({ strategy: 'introspection', introspection: CLIENT });
      const token = suite.issuer.opaqueToken();
      expectUnavailable(await get(app, token));
      suite.issuer.failRoute(DISCOVERY, undefined);
      expect((await get(app, token)).status).toBe(200);
    });
  });

  describe('introspection endpoint misbehaving on the wire', () => {
    it.each<HttpFault>([
      'drip',
      'reset-mid-body',
      'length-understated',
      'length-overstated',
      'huge-chunked',
      'not-found',
    ])('answers 503 within the time limit when introspection answers %s, then recovers', async (fault) => {
      const app = await start({
        strategy: 'introspection',
        introspection: { ...CLIENT, endpoint: suite.issuer.introspectionEndpoint },
      });
      const token = suite.issuer.opaqueToken();
      suite.issuer.failRoute('/introspect', fault);
      expectUnavailable(await get(app, token));
      suite.issuer.failRoute('/introspect', undefined);
      expect((await get(app, token)).status).toBe(200);
    });
  });

  describe('the whole suite', () => {
    it('watches the process Node reports to, not Jest’s copy of it', () => {
      expect(hostProcess).not.toBe(process);
      expect(hostProcess.pid).toBe(process.pid);
      expect(hostProcess.listeners('unhandledRejection')).toContain(onRejection);
      expect(hostProcess.listeners('uncaughtException')).toContain(onException);
    });

    it('saw no unhandled rejection and no uncaught exception', async () => {
      // let late timers and rejections of the closed apps surface first
      await new Promise((resolve) => setTimeout(resolve, LIMIT_MS));
      expect(failures).toEqual([]);
    });
  });
});

/** Resolves once `condition` holds, checking on each turn of the event loop (at most 2 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
