import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../../../test/support/config-problems.js';
import { webConfigFromEnv } from './web-config.js';

const problemsOf = (env: Record<string, string>) => configProblems(() => webConfigFromEnv(env));

describe('webConfigFromEnv', () => {
  it('fills the demo defaults', () => {
    expect(webConfigFromEnv({})).toEqual({
      port: 3000,
      host: undefined,
      origin: 'http://localhost:3000',
      issuer: 'http://localhost:4000',
      clientId: 'web',
      clientSecret: 'web-secret',
      scopes: 'openid profile email offline_access todo:write help:write',
      todoApiUrl: 'http://localhost:3001',
      helpApiUrl: 'http://localhost:3002',
      proxyUrl: undefined,
      bffUrl: undefined,
      cookieDomain: undefined,
    });
  });

  it('reads the optional proxy and BFF URLs', () => {
    expect(webConfigFromEnv({ PROXY_URL: 'http://localhost:3004/', BFF_URL: 'http://localhost:3005/' })).toMatchObject({
      proxyUrl: 'http://localhost:3004',
      bffUrl: 'http://localhost:3005',
    });
  });

  it('reads a production setup on one parent domain', () => {
    expect(
      webConfigFromEnv({
        PORT: '8080',
        HOST: '0.0.0.0',
        WEB_ORIGIN: 'https://app.example.com/',
        OAUTH_ISSUER: 'https://auth.example.com/tenant/',
        TODO_API_URL: 'https://todo.example.com/',
        HELP_API_URL: 'https://help.example.com/v1',
        PROXY_URL: 'https://proxy.example.com',
        BFF_URL: 'https://bff.example.org/app',
        COOKIE_DOMAIN: '.Example.com',
        OAUTH_SCOPES: ' openid  todo:write ',
      }),
    ).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      origin: 'https://app.example.com',
      issuer: 'https://auth.example.com/tenant/',
      todoApiUrl: 'https://todo.example.com',
      helpApiUrl: 'https://help.example.com/v1',
      proxyUrl: 'https://proxy.example.com',
      bffUrl: 'https://bff.example.org/app', // only linked: no cookie needs to reach it
      cookieDomain: '.example.com',
      scopes: 'openid todo:write',
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ PORT: 'x' }, 'PORT: expected a port number, got "x"'],
    [{ PORT: '70000' }, 'PORT: expected a port number, got "70000"'],
    [{ WEB_ORIGIN: 'localhost:3000' }, 'WEB_ORIGIN: expected an http(s) URL, got "localhost:3000"'],
    [
      { WEB_ORIGIN: 'http://localhost:3000/app' },
      'WEB_ORIGIN: expected an origin without path, got "http://localhost:3000/app"',
    ],
    [
      {
        WEB_ORIGIN: 'http://app.example.com',
        TODO_API_URL: 'http://app.example.com',
        HELP_API_URL: 'http://app.example.com',
      },
      'WEB_ORIGIN: must be https (http only on localhost): the token cookies are Secure',
    ],
    [{ OAUTH_ISSUER: 'ftp://a' }, 'OAUTH_ISSUER: expected an http(s) URL, got "ftp://a"'],
    [{ TODO_API_URL: 'nope' }, 'TODO_API_URL: expected an http(s) URL, got "nope"'],
    [{ PROXY_URL: 'localhost:3004' }, 'PROXY_URL: expected an http(s) URL, got "localhost:3004"'],
    [{ BFF_URL: 'javascript:alert(1)' }, 'BFF_URL: expected an http(s) URL, got "javascript:alert(1)"'],
    [{ OAUTH_SCOPES: 'profile todo:write' }, 'OAUTH_SCOPES: must include openid (the login needs an id token)'],
    [{ COOKIE_DOMAIN: 'localhost' }, 'COOKIE_DOMAIN: expected a domain such as .example.com, got "localhost"'],
    [{ COOKIE_DOMAIN: '.example.com' }, "COOKIE_DOMAIN: .example.com does not cover WEB_ORIGIN's host localhost"],
    [
      { HELP_API_URL: 'http://127.0.0.1:3002' },
      'HELP_API_URL: the app.at cookie (host-only, localhost) would not reach 127.0.0.1; set COOKIE_DOMAIN to a parent domain of both hosts',
    ],
    [
      { PROXY_URL: 'http://127.0.0.1:3004' },
      'PROXY_URL: the app.at cookie (host-only, localhost) would not reach 127.0.0.1; set COOKIE_DOMAIN to a parent domain of both hosts',
    ],
    [
      {
        WEB_ORIGIN: 'https://app.example.com',
        COOKIE_DOMAIN: '.example.com',
        TODO_API_URL: 'https://todo.example.com',
        HELP_API_URL: 'https://help.example.com',
        PROXY_URL: 'https://proxy.example.net',
      },
      'PROXY_URL: the app.at cookie (Domain=.example.com) would not reach proxy.example.net; set COOKIE_DOMAIN to a parent domain of both hosts',
    ],
    [
      {
        WEB_ORIGIN: 'https://app.example.com',
        COOKIE_DOMAIN: '.example.com',
        TODO_API_URL: 'https://todo.example.com',
        HELP_API_URL: 'https://help.example.org',
      },
      'HELP_API_URL: the app.at cookie (Domain=.example.com) would not reach help.example.org; set COOKIE_DOMAIN to a parent domain of both hosts',
    ],
  ])('reports %j as one line naming the variable', (env, line) => {
    expect(problemsOf(env)).toEqual([line]);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: '-1', OAUTH_ISSUER: 'x', OAUTH_SCOPES: 'profile' })).toEqual([
      'PORT: expected a port number, got "-1"',
      'OAUTH_ISSUER: expected an http(s) URL, got "x"',
      'OAUTH_SCOPES: must include openid (the login needs an id token)',
    ]);
  });

  it('accepts http on loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', 'app.localhost']) {
      const origin = `http://${host}:3000`;
      expect(webConfigFromEnv({ WEB_ORIGIN: origin, TODO_API_URL: origin, HELP_API_URL: origin })).toHaveProperty(
        'origin',
        origin,
      );
    }
  });

  it("accepts npm start's layout: each app on its own name under demo.localhost, app.at on the parent", () => {
    const config = webConfigFromEnv({
      WEB_ORIGIN: 'http://web.demo.localhost:3000',
      TODO_API_URL: 'http://todo.demo.localhost:3001',
      HELP_API_URL: 'http://help.demo.localhost:3002',
      PROXY_URL: 'http://proxy.demo.localhost:3004',
      COOKIE_DOMAIN: 'demo.localhost',
    });
    expect(config).toMatchObject({ origin: 'http://web.demo.localhost:3000', cookieDomain: 'demo.localhost' });
  });

  it('refuses COOKIE_DOMAIN=localhost, a domain browsers refuse to set cookies for', () => {
    expect(problemsOf({ COOKIE_DOMAIN: 'localhost' })).toEqual([
      'COOKIE_DOMAIN: expected a domain such as .example.com, got "localhost"',
    ]);
  });
});
