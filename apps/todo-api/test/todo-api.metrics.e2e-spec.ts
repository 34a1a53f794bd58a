import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { runToExit, spawnApp, type SpawnedApp } from '../../../test/support/spawn-app.js';

// METRICS_PORT: the sample serves the library's OpenTelemetry metrics for Prometheus on a
// port of its own, scraped here as Prometheus would.

describe('todo-api METRICS_PORT', () => {
  let issuer: TestIssuer;
  let api: SpawnedApp;
  let metricsUrl: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    api = await spawnApp('todo-api', { OAUTH_ISSUER: issuer.url, METRICS_PORT: '0' });
    metricsUrl = /metrics on (http:\/\/\S+)/.exec(api.output())![1]!;
  });
  afterAll(async () => {
    await api?.stop();
    await issuer?.close();
  });

  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const sample = (text: string, name: string, labels: string) =>
    Number(new RegExp(`^${name}\\{${labels}[^}]*\\} (\\S+)`, 'm').exec(text)?.[1] ?? 'NaN');

  it('counts verifications by outcome and reason, on its own port', async () => {
    expect(new URL(metricsUrl).port).not.toBe(new URL(api.url).port);
    const token = issuer.token({ claims: { sub: 'alice' } });
    for (let i = 0; i < 2; i++) {
      expect((await fetch(`${api.url}/todos`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    expect((await fetch(`${api.url}/todos`)).status).toBe(401);
    const expired = issuer.token({ claims: { exp: Math.floor(Date.now() / 1000) - 120 } });
    expect((await fetch(`${api.url}/todos`, { headers: { Authorization: `Bearer ${expired}` } })).status).toBe(401);

    const text = await scrape();
    expect(sample(text, 'nest_resource_server_verifications_total', 'outcome="accepted"')).toBe(2);
    expect(text).toMatch(/^nest_resource_server_verifications_total\{[^}]*reason="token_missing"[^}]*\} 1$/m);
    expect(text).toMatch(/^nest_resource_server_verifications_total\{[^}]*reason="token_expired"[^}]*\} 1$/m);
    expect(text).toMatch(/^nest_resource_server_verification_duration_count\{[^}]*outcome="accepted"[^}]*\} 2$/m);
    // never the token, nor a subject
    expect(text).not.toContain(token.split('.')[1]!);
    expect(text).not.toContain('alice');
  });

  it('answers nothing but /metrics there', async () => {
    expect((await fetch(new URL('/todos', metricsUrl))).status).toBe(404);
  });

  it('is off unless METRICS_PORT is set, and a bad value stops the app with one line', async () => {
    const plain = await spawnApp('todo-api', { OAUTH_ISSUER: issuer.url });
    try {
      expect(plain.output()).not.toContain('metrics on');
    } finally {
      await plain.stop();
    }
    const { code, output } = await runToExit('todo-api', { OAUTH_ISSUER: issuer.url, METRICS_PORT: 'nine' });
    expect(code).toBe(1);
    expect(output).toContain('METRICS_PORT: expected a port number, got "nine"');
  });
});
