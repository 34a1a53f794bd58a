import { describe, expect, it } from '@jest/globals';
import type { IntrospectionCallStatus } from '../introspection/caching-token-introspector.js';
import type { JwksKeyStoreStatus } from '../jwt/jwks-key-store.js';
import { ResourceServerHealthIndicator, type ReadinessSources } from './resource-server.health-indicator.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');

/** A key store that finds keys on the attempt numbered `fetchedOnAttempt` (never when undefined). */
function keyStore(fetchedOnAttempt?: number) {
  let attempts = 0;
  let status: JwksKeyStoreStatus = { keysFetched: false, keyCount: 0, lastFailure: 'jwks_unreachable' };
  return {
    get attempts() {
      return attempts;
    },
    status: () => status,
    ensureFetched: async () => {
      if (status.keysFetched) return;
      attempts++;
      if (attempts === fetchedOnAttempt) status = { keysFetched: true, keyCount: 2, fetchedAt: NOW };
    },
  };
}

/** An introspection client whose endpoint is failing until `healthy` is set. */
function introspection() {
  const state = { healthy: false, rechecks: 0 };
  let last: IntrospectionCallStatus = { called: true, failed: true, at: NOW, reason: 'introspection_unreachable' };
  return {
    state,
    lastCall: () => last,
    recheck: async () => {
      state.rechecks++;
      last = state.healthy
        ? { called: true, failed: false, at: NOW }
        : { called: true, failed: true, at: NOW, reason: 'introspection_unreachable' };
      return last;
    },
  };
}

const indicator = (sources: Partial<ReadinessSources>, clock = () => NOW) =>
  new ResourceServerHealthIndicator({ issuers: [], checks: [], clock, ...sources });

describe('ResourceServerHealthIndicator', () => {
  describe('isHealthy', () => {
    it('is up with a part per issuer once each has keys, and makes no fetch then', async () => {
      const a = keyStore(1);
      const b = keyStore(1);
      const health = indicator({
        issuers: [
          { issuer: 'https://a.example', keys: a },
          { issuer: 'https://b.example', keys: b },
        ],
      });
      expect(await health.isHealthy()).toEqual({
        oauth: {
          status: 'up',
          jwt: {
            status: 'up',
            issuers: {
              'https://a.example': { status: 'up', keys: 2, fetchedAt: '2026-11-29T12:00:00.000Z' },
              'https://b.example': { status: 'up', keys: 2, fetchedAt: '2026-11-29T12:00:00.000Z' },
            },
          },
        },
      });
      await health.isHealthy();
      expect([a.attempts, b.attempts]).toEqual([1, 1]);
    });

    it('is down when some issuer never got a key, naming it and why', async () => {
      const health = indicator({
        issuers: [
          { issuer: 'https://a.example', keys: keyStore(1) },
          { issuer: 'https://b.example', keys: keyStore(undefined) },
        ],
      });
      const result = await health.isHealthy('auth');
      expect(result.auth.status).toBe('down');
      expect((result.auth.jwt as { issuers: Record<string, unknown> }).issuers['https://b.example']).toEqual({
        status: 'down',
        reason: 'jwks_unreachable',
      });
    });

    it('is down while the last introspection call failed, and rechecks at most 6 times in 60 s', async () => {
      let now = NOW;
      const client = introspection();
      const health = indicator({ introspection: client }, () => now);
      for (let i = 0; i < 20; i++) expect((await health.isHealthy()).oauth.status).toBe('down');
      expect(client.state.rechecks).toBe(6);
      client.state.healthy = true;
      expect((await health.isHealthy()).oauth.status).toBe('down'); // no recheck left in this minute
      now += 60_001;
      expect((await health.isHealthy()).oauth).toEqual({ status: 'up', introspection: { status: 'up' } });
    });

    it('reports each extra check under its name, down when it throws', async () => {
      const health = indicator({
        checks: [
          { name: 'redis', check: async () => ({ ready: true }) },
          {
            name: 'replay-store',
            check: async () => {
              throw new Error('boom');
            },
          },
        ],
      });
      expect(await health.isHealthy()).toEqual({
        oauth: { status: 'down', redis: { status: 'up' }, 'replay-store': { status: 'down' } },
      });
    });
  });
});
