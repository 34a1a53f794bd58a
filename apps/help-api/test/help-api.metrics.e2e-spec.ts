import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { spawnApp, type SpawnedApp } from '../../../test/support/spawn-app.js';

// METRICS_PORT with OAUTH_STRATEGY=introspection and its cache: the calls to the introspection
// endpoint by outcome, the cache's hits and misses, and the verifications by outcome and
// reason, scraped as Prometheus would.

/** The samples of a metric whose labels include `labels`, summed (0 when there is none). */
function total(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const [, body = '', value = ''] of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const present = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, v]) => [key, v]));
    if (Object.entries(labels).every(([key, v]) => present[key] === v)) sum += Number(value);
  }
  return sum;
}

describe('help-api METRICS_PORT with OAUTH_STRATEGY=introspection and its cache', () => {
  let issuer: TestIssuer;
  let api: SpawnedApp;
  let metricsUrl: string;
  let active: string;
  const unknown = `unknown-${randomBytes(18).toString('base64url')}`; // never issued
  let text: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'help-api' });
    issuer.addIntrospectionClient('help-api', 'help-secret');
    api = await spawnApp('help-api', {
      OAUTH_ISSUER: issuer.url,
      OAUTH_STRATEGY: 'introspection',
      OAUTH_CLIENT_ID: 'help-api',
      OAUTH_CLIENT_SECRET: 'help-secret',
      OAUTH_INTROSPECTION_CACHE_TTL: '60',
      METRICS_PORT: '0',
    });
    metricsUrl = /metrics on (http:\/\/\S+)/.exec(api.output())![1]!;

    active = issuer.opaqueToken({ claims: { sub: 'carol-of-help' } });
    const get = (headers: Record<string, string> = {}) => fetch(`${api.url}/tickets`, { headers });
    // the same active token twice: one call to the endpoint, then the cache
    expect((await get({ authorization: `Bearer ${active}` })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${active}` })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${unknown}` })).status).toBe(401);
    expect((await get()).status).toBe(401);
    expect((await fetch(`${api.url}/articles`)).status).toBe(200); // public: no verification
    expect(issuer.introspectionCalls).toBe(2); // the endpoint's own count: active once, unknown once

    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    text = await response.text();
  });
  afterAll(async () => {
    await api?.stop();
    await issuer?.close();
  });

  it('counts the calls to the introspection endpoint by outcome', () => {
    expect(total(text, 'nest_resource_server_introspection_calls_total', { outcome: 'active' })).toBe(1);
    expect(total(text, 'nest_resource_server_introspection_calls_total', { outcome: 'inactive' })).toBe(1);
    expect(total(text, 'nest_resource_server_introspection_calls_total', { outcome: 'failed' })).toBe(0);
  });

  it('counts the introspection cache lookups: the repeated token a hit, the first sight of each token a miss', () => {
    const lookups = (result: string) =>
      total(text, 'nest_resource_server_cache_lookups_total', { cache: 'introspection', result });
    expect(lookups('hit')).toBe(1);
    expect(lookups('miss')).toBe(2);
    expect(total(text, 'nest_resource_server_cache_lookups_total', { cache: 'verified_token' })).toBe(0);
  });

  it('counts the verifications by outcome and reason, the accepted ones under strategy="introspection"', () => {
    const verifications = (labels: Record<string, string>) =>
      total(text, 'nest_resource_server_verifications_total', labels);
    expect(verifications({ outcome: 'accepted' })).toBe(2);
    expect(verifications({ outcome: 'accepted', strategy: 'introspection' })).toBe(2);
    expect(verifications({ outcome: 'rejected', reason: 'token_inactive' })).toBe(1);
    expect(verifications({ outcome: 'rejected', reason: 'token_missing' })).toBe(1);
    expect(verifications({ outcome: 'rejected' })).toBe(2); // nothing else, and not the public route
    expect(verifications({ outcome: 'unavailable' })).toBe(0);
    expect(total(text, 'nest_resource_server_verification_duration_count', { outcome: 'accepted' })).toBe(2);
  });

  it('never shows a token, its cache key or a subject', () => {
    expect(text).not.toContain(active);
    expect(text).not.toContain(unknown);
    expect(text).not.toContain(createHash('sha256').update(active).digest('base64url'));
    expect(text).not.toContain('carol-of-help');
  });

  it('answers nothing but /metrics there', async () => {
    expect(new URL(metricsUrl).port).not.toBe(new URL(api.url).port);
    expect((await fetch(new URL('/tickets', metricsUrl))).status).toBe(404);
  });
});
