import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import request from 'supertest';
import { METER_NAME, ResourceServerModule, type VerificationEvent } from 'nest-resource-server';
import { DpopTestKey, TestIssuer } from 'nest-resource-server/testing';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

// Every verification the guard makes reaches the app's listener and the OpenTelemetry
// metrics: accepted, rejected (with the contract's reason), unavailable. Never the token.

/** Collects on demand, as a Prometheus scrape would. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe.each(PLATFORMS)('verification events and metrics on %s', (platform) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let reader: TestReader;
  let provider: MeterProvider;
  const events: VerificationEvent[] = [];
  let listenerThrows = false;
  const server = () => app.getHttpServer();
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    reader = new TestReader();
    provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider); // before the app: its instruments are made with it
    const listener = {
      onVerification(event: VerificationEvent) {
        if (listenerThrows) throw new Error(`listener bug ${JSON.stringify(event)}`);
        events.push(event);
      },
    };
    app = await createProbeApp(
      { issuer: issuer.url, audience: 'api' },
      {
        platform,
        module: ResourceServerModule.forRoot({
          issuer: issuer.url,
          audience: 'api',
          trustedOrigins: ['https://app.example.com'],
          verificationListener: listener,
        }),
      },
    );
  });
  afterEach(() => {
    events.length = 0;
    listenerThrows = false;
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
    await provider.shutdown();
    metrics.disable();
  });

  async function points(name: string): Promise<DataPoint<number>[]> {
    const { resourceMetrics } = await reader.collect();
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === METER_NAME);
    const metric = scope?.metrics.find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []) as DataPoint<number>[];
  }
  async function count(attributes: Record<string, string>): Promise<number> {
    const matching = (await points('nest_resource_server.verifications')).filter((p) =>
      Object.entries(attributes).every(([key, value]) => p.attributes[key] === value),
    );
    return matching.reduce((sum, p) => sum + p.value, 0);
  }

  it('tells the listener of an acceptance: strategy, issuer, handler, path without the query, and no token', async () => {
    const token = issuer.token();
    await request(server()).get('/claims?x=1').set('Authorization', `Bearer ${token}`).expect(200);
    expect(events).toEqual([
      {
        outcome: 'accepted',
        status: 200,
        strategy: 'jwt',
        issuer: issuer.url,
        method: 'GET',
        path: '/claims',
        handler: 'ProbeController.claims',
        durationMs: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(token.split('.')[2]);
  });

  type Row = [string, () => Record<string, string>, 'GET' | 'DELETE', string, number, string];
  const rejections: Row[] = [
    ['no token', () => ({}), 'GET', '/claims', 401, 'token_missing'],
    [
      'an expired token',
      () => ({ Authorization: `Bearer ${issuer.token({ claims: { exp: now() - 120 } })}` }),
      'GET',
      '/claims',
      401,
      'token_expired',
    ],
    [
      'a missing scope',
      () => ({ Authorization: `Bearer ${issuer.token()}` }),
      'GET',
      '/two-scopes',
      403,
      'scope_missing',
    ],
    [
      'two tokens',
      () => ({ Authorization: `Bearer ${issuer.token()}`, Cookie: `app.at=${issuer.token()}` }),
      'GET',
      '/claims',
      400,
      'two_tokens',
    ],
    [
      'a cross-site write by cookie',
      () => ({ Cookie: `app.at=${issuer.token()}`, Origin: 'https://evil.example' }),
      'DELETE',
      '/b',
      403,
      'csrf_rejected',
    ],
  ];
  it.each(rejections)(
    'tells the listener of a rejection for %s, with the reason of the body',
    async (_case, headers, method, path, status, reason) => {
      const before = await count({ outcome: 'rejected', reason });
      const response = await request(server())[method === 'GET' ? 'get' : 'delete'](path).set(headers()).expect(status);
      expect(response.body.reason).toBe(reason);
      expect(events).toEqual([expect.objectContaining({ outcome: 'rejected', status, reason, method, path })]);
      if (reason === 'scope_missing') {
        // a valid token the route's rules refused: its verified issuer and strategy are known
        expect(events[0]).toMatchObject({ strategy: 'jwt', issuer: issuer.url });
      } else {
        expect(events[0]).not.toHaveProperty('issuer');
        expect(events[0]).not.toHaveProperty('strategy');
      }
      expect(await count({ outcome: 'rejected', reason })).toBe(before + 1);
    },
  );

  it('counts acceptances by strategy and records how long verification took', async () => {
    const before = await count({ outcome: 'accepted', strategy: 'jwt' });
    for (let i = 0; i < 3; i++) {
      await request(server()).get('/claims').set('Authorization', `Bearer ${issuer.token()}`).expect(200);
    }
    expect(await count({ outcome: 'accepted', strategy: 'jwt' })).toBe(before + 3);
    const durations = await points('nest_resource_server.verification.duration');
    const accepted = durations.find((p) => p.attributes.outcome === 'accepted') as unknown as {
      value: { count: number; sum: number };
    };
    expect(accepted.value.count).toBeGreaterThanOrEqual(3);
    expect(accepted.value.sum).toBeGreaterThan(0);
    expect(accepted.value.sum).toBeLessThan(60); // seconds, not milliseconds
    const fetches = await points('nest_resource_server.jwks.fetches');
    expect(fetches.find((p) => p.attributes.outcome === 'ok')?.value).toBeGreaterThanOrEqual(1);
  });

  it('reports nothing for @Public() routes', async () => {
    await request(server()).get('/public').expect(200);
    expect(events).toEqual([]);
  });

  it('keeps answering when the listener throws, and logs that once without the event', async () => {
    listenerThrows = true;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const logged: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      await request(server()).get('/claims').set('Authorization', `Bearer ${issuer.token()}`).expect(200);
      await request(server()).get('/claims').expect(401);
    } finally {
      spy.mockRestore();
      warn.mockRestore();
    }
    expect(events).toEqual([]);
    expect(logged.join('')).not.toContain('listener bug');
  });
});

describe('unavailable authorization server', () => {
  it('is an event of its own, with the failure code and status 503', async () => {
    const issuer = await TestIssuer.start({ audience: 'api' });
    const events: VerificationEvent[] = [];
    const token = issuer.token();
    await issuer.goDown('refuse');
    const app = await createProbeApp(
      { issuer: issuer.url, audience: 'api' },
      {
        module: ResourceServerModule.forRoot({
          issuer: issuer.url,
          audience: 'api',
          verificationListener: { onVerification: (event) => events.push(event) },
        }),
      },
    );
    try {
      await request(app.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(503);
      expect(events).toEqual([
        expect.objectContaining({
          outcome: 'unavailable',
          status: 503,
          reason: expect.stringMatching(/_unreachable$/),
        }),
      ]);
    } finally {
      await app.close();
      await issuer.close();
    }
  });
});

describe('introspection metrics', () => {
  it('counts calls to the endpoint by outcome and cache lookups by result', async () => {
    const issuer = await TestIssuer.start({ audience: 'api' });
    issuer.addIntrospectionClient('probe-api', 'probe-secret');
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const options = {
      issuer: issuer.url,
      audience: 'api',
      strategy: 'introspection' as const,
      introspection: { clientId: 'probe-api', clientSecret: 'probe-secret', cacheTtlSeconds: 60 },
    };
    const app = await createProbeApp(options);
    try {
      const token = issuer.opaqueToken();
      await request(app.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(200);
      await request(app.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(200);
      await request(app.getHttpServer()).get('/claims').set('Authorization', 'Bearer never-issued').expect(401);
      const { resourceMetrics } = await reader.collect();
      const all = resourceMetrics.scopeMetrics.find((s) => s.scope.name === METER_NAME)!.metrics;
      const valueOf = (name: string, attributes: Record<string, string>) =>
        (all.find((m) => m.descriptor.name === name)?.dataPoints as DataPoint<number>[] | undefined)?.find((p) =>
          Object.entries(attributes).every(([key, value]) => p.attributes[key] === value),
        )?.value;
      expect(valueOf('nest_resource_server.introspection.calls', { outcome: 'active' })).toBe(1);
      expect(valueOf('nest_resource_server.introspection.calls', { outcome: 'inactive' })).toBe(1);
      expect(valueOf('nest_resource_server.cache.lookups', { cache: 'introspection', result: 'hit' })).toBe(1);
      expect(valueOf('nest_resource_server.cache.lookups', { cache: 'introspection', result: 'miss' })).toBe(2);
    } finally {
      await app.close();
      await issuer.close();
      await provider.shutdown();
      metrics.disable();
    }
  });
});

describe('DPoP metrics', () => {
  it('counts each proof refused as a replay', async () => {
    const issuer = await TestIssuer.start({ audience: 'api' });
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const app = await createProbeApp({
      issuer: issuer.url,
      audience: 'api',
      dpop: 'allowed',
      publicUrl: 'http://api.test',
    });
    try {
      const key = DpopTestKey.generate();
      const token = issuer.token({ dpop: key });
      const proof = key.proof({ url: 'http://api.test/claims', accessToken: token });
      const call = () =>
        request(app.getHttpServer()).get('/claims').set('authorization', `DPoP ${token}`).set('DPoP', proof);
      await call().expect(200);
      expect((await call()).body.reason).toBe('dpop_proof_invalid');
      expect((await call()).status).toBe(401);
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .find((s) => s.scope.name === METER_NAME)!
        .metrics.find((m) => m.descriptor.name === 'nest_resource_server.dpop.replays_refused');
      expect((metric?.dataPoints as DataPoint<number>[])[0]?.value).toBe(2);
    } finally {
      await app.close();
      await issuer.close();
      await provider.shutdown();
      metrics.disable();
    }
  });
});

describe('verified-token cache metrics', () => {
  it('counts lookups by result', async () => {
    const issuer = await TestIssuer.start({ audience: 'api' });
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    const app = await createProbeApp({ issuer: issuer.url, audience: 'api', verifiedTokenCache: { ttlSeconds: 60 } });
    try {
      const token = issuer.token();
      for (let i = 0; i < 3; i++) {
        await request(app.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(200);
      }
      const { resourceMetrics } = await reader.collect();
      const points = (resourceMetrics.scopeMetrics
        .find((s) => s.scope.name === METER_NAME)!
        .metrics.find((m) => m.descriptor.name === 'nest_resource_server.cache.lookups')?.dataPoints ??
        []) as DataPoint<number>[];
      const value = (result: string) =>
        points.find((p) => p.attributes.cache === 'verified_token' && p.attributes.result === result)?.value;
      expect([value('miss'), value('hit')]).toEqual([1, 2]);
    } finally {
      await app.close();
      await issuer.close();
      await provider.shutdown();
      metrics.disable();
    }
  });
});
