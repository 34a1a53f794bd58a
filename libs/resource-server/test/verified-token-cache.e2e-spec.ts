import crypto from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { optionsFromEnv, type ResourceServerOptions } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

const CLIENT = { clientId: 'probe-api', clientSecret: 'probe-secret' };
const CACHE = { verifiedTokenCache: { ttlSeconds: 300 } };

/** The optional cache of verified JWTs, in a real app against a real issuer. */
describe.each(PLATFORMS)('verifiedTokenCache (%s)', (platform) => {
  const suite = useProbeSuite({ platform, defaults: (issuer) => ({ jwksUri: issuer.jwksUri }) });

  /**
   * An app (with the cache on unless `options` say otherwise) and a count of its signature
   * verifications: jsonwebtoken (through jwa) makes one `crypto.createVerify()` per RS/PS/ES
   * signature it checks, and nothing else in the request path does.
   */
  async function start(options: Partial<ResourceServerOptions> = CACHE) {
    const app = await suite.start(options);
    const verifications = jest.spyOn(crypto, 'createVerify');
    verifications.mockClear();
    return { app, verifications };
  }
  const get = (app: INestApplication, token: string, path?: string) => suite.get(app, token, path);

  it('verifies a token once and answers later requests with it from the cache', async () => {
    const { app, verifications } = await start();
    const token = suite.issuer.token({ claims: { sub: 'alice' } });
    for (let i = 0; i < 3; i++) {
      const response = await get(app, token).expect(200);
      expect(response.body).toMatchObject({ sub: 'alice', tokenLength: token.length });
    }
    expect(verifications).toHaveBeenCalledTimes(1);
  });

  it('is off by default: every request is verified', async () => {
    const { app, verifications } = await start({});
    const token = suite.issuer.token();
    await get(app, token).expect(200);
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('is off with ttlSeconds 0', async () => {
    const { app, verifications } = await start({ verifiedTokenCache: { ttlSeconds: 0 } });
    const token = suite.issuer.token();
    await get(app, token).expect(200);
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('never answers another token from the cache: a forged signature is verified and refused', async () => {
    const { app, verifications } = await start();
    const token = suite.issuer.token();
    await get(app, token).expect(200);
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
    const response = await get(app, forged);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('checks exp on every hit with the injected clock: 401 token_expired once the token expires', async () => {
    const { app } = await start({ ...CACHE, clockToleranceSeconds: 0 });
    const token = suite.issuer.token({ expiresInSeconds: 60 });
    await get(app, token).expect(200);
    suite.now += 59_000;
    await get(app, token).expect(200);
    suite.now += 1_000;
    const response = await get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token expired');
  });

  it('checks nbf on every hit with the injected clock: a clock set back before nbf refuses the token', async () => {
    const { app, verifications } = await start({ ...CACHE, clockToleranceSeconds: 0 });
    const token = suite.issuer.token({ claims: { nbf: suite.now / 1000 - 10 } });
    await get(app, token).expect(200);
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    suite.now -= 60_000;
    const response = await get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token is not valid yet');
  });

  it("verifies again after ttlSeconds, and never keeps an entry past the token's exp", async () => {
    const { app, verifications } = await start({ verifiedTokenCache: { ttlSeconds: 30 }, clockToleranceSeconds: 0 });
    const token = suite.issuer.token({ expiresInSeconds: 600 });
    await get(app, token).expect(200);
    suite.now += 29_000;
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(1);
    suite.now += 2_000;
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it("checks the route's requirements on every hit", async () => {
    const { app, verifications } = await start();
    const token = suite.issuer.token({ claims: { scope: 'a:read' } });
    await get(app, token).expect(200);
    const response = await get(app, token, '/two-scopes');
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="a:read a:write"',
    );
    await get(app, suite.issuer.token({ claims: { scope: 'a:read a:write' } }), '/two-scopes').expect(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('stops admitting a cached token once the key store has refetched a JWKS without its key', async () => {
    const { app } = await start();
    const old = suite.issuer.token();
    await get(app, old).expect(200);
    suite.issuer.rotateKeys({ dropOld: true });
    // not noticed yet: the key store still holds the old key, with or without the cache
    await get(app, old).expect(200);
    // a token with the new kid makes the key store refetch the set, which lacks the old key
    await get(app, suite.issuer.token()).expect(200);
    const response = await get(app, old);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token signing key (kid) is unknown');
  });

  it('stops admitting a cached token once a refetched JWKS holds another key under its kid', async () => {
    const [first, second] = [TestIssuer.foreignKey(), TestIssuer.foreignKey()];
    let published = first;
    suite.issuer.route('/own-jwks', (_req, res) =>
      suite.issuer.json(res, { keys: [{ ...published.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' }] }),
    );
    const { app } = await start({ ...CACHE, jwksUri: `${suite.issuer.url}/own-jwks` });
    const token = suite.issuer.token({ key: first, header: { kid: 'k1' } });
    await get(app, token).expect(200);
    published = second;
    // an unknown kid makes the key store refetch the set: k1 is now another key
    await get(app, suite.issuer.token({ key: second, header: { kid: 'k2' } })).expect(401);
    const response = await get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token signature is invalid');
  });

  it('keeps entries for tokens whose key is still published when the set changes otherwise', async () => {
    const { app, verifications } = await start();
    const token = suite.issuer.token();
    await get(app, token).expect(200);
    suite.issuer.rotateKeys(); // a new key, the old one kept
    await get(app, suite.issuer.token()).expect(200);
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(2);
  });

  it('holds at most maxEntries verifications, dropping the least recently used', async () => {
    const { app, verifications } = await start({ verifiedTokenCache: { ttlSeconds: 300, maxEntries: 2 } });
    const [a, b, c] = [suite.issuer.token(), suite.issuer.token(), suite.issuer.token()];
    for (const token of [a, b, c]) await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(3);
    await get(app, c).expect(200);
    await get(app, b).expect(200);
    expect(verifications).toHaveBeenCalledTimes(3);
    await get(app, a).expect(200);
    expect(verifications).toHaveBeenCalledTimes(4);
  });

  it('leaves introspected tokens to introspection: under auto, an opaque token is introspected each time', async () => {
    suite.issuer.addIntrospectionClient(CLIENT.clientId, CLIENT.clientSecret);
    const { app } = await start({ ...CACHE, strategy: 'auto', introspection: CLIENT });
    const opaque = suite.issuer.opaqueToken();
    await get(app, opaque).expect(200);
    await get(app, opaque).expect(200);
    expect(suite.issuer.introspectionCalls).toBe(2);
  });

  it('is turned on by OAUTH_VERIFIED_TOKEN_CACHE_TTL through optionsFromEnv', async () => {
    const env = {
      OAUTH_ISSUER: suite.issuer.url,
      OAUTH_JWKS_URI: suite.issuer.jwksUri,
      OAUTH_VERIFIED_TOKEN_CACHE_TTL: '120',
    };
    const { app, verifications } = await start({ ...optionsFromEnv(env, { audience: 'api' }), clock: suite.clock });
    const token = suite.issuer.token();
    await get(app, token).expect(200);
    await get(app, token).expect(200);
    expect(verifications).toHaveBeenCalledTimes(1);
  });
});
