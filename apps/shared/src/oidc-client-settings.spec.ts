import { describe, expect, it } from '@jest/globals';
import { EnvReader } from './env.js';
import { oidcClientSettingsFromEnv } from './oidc-client-settings.js';

const CLIENT = { clientId: 'app', clientSecret: 'app-secret' };

describe('oidcClientSettingsFromEnv', () => {
  it('fills the dev defaults with the client it is given', () => {
    const env = new EnvReader({});
    expect(oidcClientSettingsFromEnv(env, CLIENT)).toEqual({
      issuer: 'http://localhost:4000',
      clientId: 'app',
      clientSecret: 'app-secret',
      scopes: 'openid profile email offline_access todo:write help:write',
      todoApiUrl: 'http://localhost:3001',
      helpApiUrl: 'http://localhost:3002',
    });
    expect(env.problems).toEqual([]);
  });

  it('keeps the issuer exactly as given, and drops the API URLs’ trailing slash', () => {
    const env = new EnvReader({
      OAUTH_ISSUER: 'https://tenant.auth0.com/',
      OAUTH_CLIENT_ID: ' mine ',
      OAUTH_CLIENT_SECRET: 's',
      OAUTH_SCOPES: '  openid   todo:write ',
      TODO_API_URL: 'https://todo.example.com/',
      HELP_API_URL: 'https://help.example.com/v1',
    });
    expect(oidcClientSettingsFromEnv(env, CLIENT)).toEqual({
      issuer: 'https://tenant.auth0.com/',
      clientId: 'mine',
      clientSecret: 's',
      scopes: 'openid todo:write',
      todoApiUrl: 'https://todo.example.com',
      helpApiUrl: 'https://help.example.com/v1',
    });
  });

  it('records one line per invalid variable, naming it', () => {
    const env = new EnvReader({ OAUTH_ISSUER: 'ftp://a', OAUTH_SCOPES: 'profile', TODO_API_URL: 'nope' });
    oidcClientSettingsFromEnv(env, CLIENT);
    expect(env.problems).toEqual([
      'OAUTH_ISSUER: expected an http(s) URL, got "ftp://a"',
      'OAUTH_SCOPES: must include openid (the login needs an id token)',
      'TODO_API_URL: expected an http(s) URL, got "nope"',
    ]);
  });
});
