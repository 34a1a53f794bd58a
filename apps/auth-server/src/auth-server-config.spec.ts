import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../../../test/support/config-problems.js';
import { authServerConfigFromEnv } from './auth-server-config.js';

const problemsOf = (env: Record<string, string>) => configProblems(() => authServerConfigFromEnv(env));

describe('authServerConfigFromEnv', () => {
  it('defaults to the demo layout', () => {
    expect(authServerConfigFromEnv({})).toEqual({
      port: 4000,
      host: undefined,
      issuer: 'http://localhost:4000',
      accessTokenTtlSeconds: 300,
      webOrigin: 'http://localhost:3000',
      bffOrigin: 'http://localhost:3005',
    });
  });

  it('reads every variable and drops a trailing slash from the issuer and origins', () => {
    const config = authServerConfigFromEnv({
      PORT: '4010',
      HOST: '127.0.0.1',
      AUTH_ISSUER: 'https://auth.example.com/',
      ACCESS_TOKEN_TTL: '5',
      WEB_ORIGIN: 'https://app.example.com/',
      BFF_ORIGIN: 'https://bff.example.com',
    });
    expect(config).toEqual({
      port: 4010,
      host: '127.0.0.1',
      issuer: 'https://auth.example.com',
      accessTokenTtlSeconds: 5,
      webOrigin: 'https://app.example.com',
      bffOrigin: 'https://bff.example.com',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['ACCESS_TOKEN_TTL', 'five'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['ACCESS_TOKEN_TTL', '-3'],
    ['AUTH_ISSUER', 'localhost:4000'],
    ['AUTH_ISSUER', 'http://localhost:4000/oidc'],
    ['AUTH_ISSUER', 'ftp://localhost:4000'],
    // every API compares `iss` with OAUTH_ISSUER character for character: no spelling URL() would change
    ['AUTH_ISSUER', 'http://LOCALHOST:4000'],
    ['AUTH_ISSUER', 'http://localhost:80'],
    ['WEB_ORIGIN', 'not a url'],
    ['WEB_ORIGIN', 'http://localhost:3000/app'],
    ['BFF_ORIGIN', 'http://'],
  ])('rejects %s=%j with a line naming the variable', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: 'x', ACCESS_TOKEN_TTL: 'y' })).toEqual([
      'PORT: expected a port number, got "x"',
      'ACCESS_TOKEN_TTL: expected a positive number of seconds, got "y"',
    ]);
  });
});
