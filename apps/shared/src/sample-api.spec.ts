import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../../../test/support/config-problems.js';
import { issuerNames, sampleApiConfigFromEnv } from './sample-api.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };

describe('sampleApiConfigFromEnv', () => {
  it('fills the contract defaults: the dev issuer, the app as audience and realm, Express, no CORS', () => {
    const config = sampleApiConfigFromEnv({}, DEFAULTS);
    expect(config).toMatchObject({
      platform: 'express',
      port: 3001,
      corsOrigins: [],
      resourceServer: {
        issuer: 'http://localhost:4000',
        audience: 'todo-api',
        realm: 'todo-api',
        trustedOrigins: [],
      },
    });
    expect(config.host).toBeUndefined();
    expect(config.metricsPort).toBeUndefined();
    expect(config.tls).toBeUndefined();
  });

  it('trusts CORS_ORIGINS for cookie-borne writes, beside OAUTH_TRUSTED_ORIGINS', () => {
    const config = sampleApiConfigFromEnv(
      {
        CORS_ORIGINS: 'http://localhost:3000/, https://app.example.com',
        OAUTH_TRUSTED_ORIGINS: 'https://admin.example.com',
        HTTP_PLATFORM: 'fastify',
        HOST: '127.0.0.1',
        METRICS_PORT: '9464',
      },
      DEFAULTS,
    );
    expect(config).toMatchObject({
      platform: 'fastify',
      host: '127.0.0.1',
      metricsPort: 9464,
      corsOrigins: ['http://localhost:3000', 'https://app.example.com'],
      resourceServer: {
        trustedOrigins: ['https://admin.example.com', 'http://localhost:3000', 'https://app.example.com'],
      },
    });
  });

  it('reports the library’s problems and its own at once, one line each', () => {
    expect(
      configProblems(() =>
        sampleApiConfigFromEnv(
          { OAUTH_CLOCK_TOLERANCE: 'abc', PORT: 'x', HTTP_PLATFORM: 'koa', METRICS_PORT: '-1' },
          DEFAULTS,
        ),
      ),
    ).toEqual([
      'OAUTH_CLOCK_TOLERANCE: expected seconds, got "abc"',
      'PORT: expected a port number, got "x"',
      'HTTP_PLATFORM: expected one of express, fastify, got "koa"',
      'METRICS_PORT: expected a port number, got "-1"',
    ]);
  });

  it('asks for the TLS files with OAUTH_MTLS=true', () => {
    expect(configProblems(() => sampleApiConfigFromEnv({ OAUTH_MTLS: 'true' }, DEFAULTS))).toEqual([
      'TLS_CERT: required with OAUTH_MTLS=true (path of a PEM file)',
      'TLS_KEY: required with OAUTH_MTLS=true (path of a PEM file)',
      'TLS_CA: required with OAUTH_MTLS=true (path of a PEM file)',
    ]);
  });
});

describe('issuerNames', () => {
  it('names each issuer, however it was given', () => {
    expect(issuerNames({ issuer: 'https://a.example.com', audience: 'x' })).toEqual(['https://a.example.com']);
    expect(
      issuerNames({ issuer: ['https://a.example.com', { issuer: 'https://b.example.com' }], audience: 'x' }),
    ).toEqual(['https://a.example.com', 'https://b.example.com']);
  });
});
