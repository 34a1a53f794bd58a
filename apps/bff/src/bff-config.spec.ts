import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../../../test/support/config-problems.js';
import { bffConfigFromEnv } from './bff-config.js';
import { dpopKeyThumbprint } from './dpop-key.js';

const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

describe('bffConfigFromEnv', () => {
  it('fills the demo defaults', () => {
    const config = bffConfigFromEnv({});
    expect(config).toMatchObject({
      port: 3005,
      origin: 'http://localhost:3005',
      issuer: 'http://localhost:4000',
      clientId: 'bff',
      clientSecret: 'bff-secret',
      scopes: 'openid profile email offline_access todo:write help:write',
      todoApiUrl: 'http://localhost:3001',
      helpApiUrl: 'http://localhost:3002',
    });
    expect(config.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each<[Record<string, string>, string]>([
    [{ PORT: 'x' }, 'PORT: expected a port number, got "x"'],
    [{ BFF_ORIGIN: 'localhost:3005' }, 'BFF_ORIGIN: expected an http(s) URL, got "localhost:3005"'],
    [
      { BFF_ORIGIN: 'http://localhost:3005/app' },
      'BFF_ORIGIN: expected an origin without path, got "http://localhost:3005/app"',
    ],
    [{ OAUTH_SCOPES: 'profile todo:write' }, 'OAUTH_SCOPES: must include openid (the login needs an id token)'],
    [{ OAUTH_ISSUER: 'ftp://a' }, 'OAUTH_ISSUER: expected an http(s) URL, got "ftp://a"'],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379', BFF_DPOP: 'false' },
      'SESSION_SECRET: required with REDIS_URL, so that every replica accepts the session cookie',
    ],
    [
      { REDIS_URL: 'http://x', SESSION_SECRET: 's', BFF_DPOP: 'false' },
      'REDIS_URL: expected a redis:// or rediss:// URL',
    ],
    [{ BFF_DPOP: 'yes' }, 'BFF_DPOP: expected true or false, got "yes"'],
    [{ BFF_DPOP_KEY: '{"kty":"EC"}' }, 'BFF_DPOP_KEY: expected an EC P-256 private key, as a JWK or a PEM'],
    [{ BFF_DPOP_KEY: 'not a key' }, 'BFF_DPOP_KEY: expected an EC P-256 private key, as a JWK or a PEM'],
    [
      {
        BFF_DPOP_KEY: generateKeyPairSync('ec', { namedCurve: 'P-384' })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      },
      'BFF_DPOP_KEY: expected an EC P-256 private key, got a ec key',
    ],
    [
      {
        BFF_DPOP_KEY: JSON.stringify(
          generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
        ),
      },
      'BFF_DPOP_KEY: expected an EC P-256 private key, got a rsa key',
    ],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379', SESSION_SECRET: 's' },
      "BFF_DPOP_KEY: required with REDIS_URL and BFF_DPOP=true, so that every replica can use the session's DPoP-bound tokens",
    ],
  ])('reports %j as one line naming the variable', (env, line) => {
    expect(configProblems(() => bffConfigFromEnv(env))).toEqual([line]);
  });

  describe('DPoP', () => {
    it('binds tokens by default, to a key made per process when BFF_DPOP_KEY is unset', () => {
      const one = bffConfigFromEnv({});
      const two = bffConfigFromEnv({});
      expect(one.dpopKey?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      expect(dpopKeyThumbprint(one.dpopKey!)).not.toBe(dpopKeyThumbprint(two.dpopKey!));
    });

    it.each([
      ['a JWK', (key: ReturnType<typeof ecKey>) => JSON.stringify(key.export({ format: 'jwk' }))],
      ['a PKCS#8 PEM', (key: ReturnType<typeof ecKey>) => key.export({ format: 'pem', type: 'pkcs8' }).toString()],
      ['a SEC1 PEM', (key: ReturnType<typeof ecKey>) => key.export({ format: 'pem', type: 'sec1' }).toString()],
    ])('reads BFF_DPOP_KEY as %s: the same key on every replica', (_format, encode) => {
      const key = ecKey();
      const env = { REDIS_URL: 'redis://127.0.0.1:6379', SESSION_SECRET: 's', BFF_DPOP_KEY: encode(key) };
      const config = bffConfigFromEnv(env);
      expect(dpopKeyThumbprint(config.dpopKey!)).toBe(dpopKeyThumbprint(key));
    });

    it('holds no key with BFF_DPOP=false, and then needs none with REDIS_URL', () => {
      const config = bffConfigFromEnv({ BFF_DPOP: 'false', REDIS_URL: 'redis://127.0.0.1:6379', SESSION_SECRET: 's' });
      expect(config.dpopKey).toBeUndefined();
    });
  });
});
