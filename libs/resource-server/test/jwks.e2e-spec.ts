import { createSecretKey, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signJws, TestIssuer } from 'nest-resource-server/testing';
import { PLATFORMS } from './support/probe-app.js';
import { useProbeSuite } from './support/probe-suite.js';

/** Key discovery, rotation, outages and algorithms, against a real issuer on loopback. */
describe.each(PLATFORMS)('JWT strategy with a remote JWKS (%s)', (platform) => {
  const suite = useProbeSuite({ platform });

  it('finds the JWKS by discovery and verifies RS256', async () => {
    const app = await suite.start();
    await suite.get(app, suite.issuer.token()).expect(200);
    expect(suite.issuer.hits.get('/.well-known/openid-configuration')).toBe(1);
  });

  it('uses a given jwksUri without discovery', async () => {
    const app = await suite.start({ jwksUri: suite.issuer.jwksUri });
    await suite.get(app, suite.issuer.token()).expect(200);
    expect(suite.issuer.hits.get('/.well-known/openid-configuration')).toBeUndefined();
  });

  it('verifies ES256 and PS256 keys from the same JWKS', async () => {
    const es = suite.issuer.addKey('ES256');
    const ps = suite.issuer.addKey('PS256');
    const app = await suite.start();
    await suite.get(app, suite.issuer.token({ key: es })).expect(200);
    await suite.get(app, suite.issuer.token({ key: ps })).expect(200);
  });

  it('refuses an algorithm outside the allowlist even with a published key', async () => {
    const es384 = suite.issuer.addKey('ES384');
    const app = await suite.start();
    const response = await suite.get(app, suite.issuer.token({ key: es384 }));
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token algorithm is not accepted');
  });

  it('refuses a token whose alg differs from its key’s published alg', async () => {
    const app = await suite.start({ algorithms: ['RS256', 'PS256'] });
    const key = suite.issuer.currentKey; // published with alg RS256
    const token = signJws(
      { alg: 'PS256', kid: key.kid },
      { iss: suite.issuer.url, aud: 'api', exp: suite.now / 1000 + 60 },
      key.privateKey,
    );
    const response = await suite.get(app, token);
    expect(response.status).toBe(401);
    expect(response.body.error_description).toBe('token algorithm does not match its key');
  });

  describe('key rotation', () => {
    it('refetches the JWKS for a new kid and keeps accepting the old key', async () => {
      const app = await suite.start();
      const old = suite.issuer.token();
      await suite.get(app, old).expect(200);
      const fetches = suite.issuer.jwksFetches;
      suite.issuer.rotateKeys();
      await suite.get(app, suite.issuer.token()).expect(200);
      expect(suite.issuer.jwksFetches).toBe(fetches + 1);
      await suite.get(app, old).expect(200);
    });

    it('stops accepting a dropped key once the cached set is refreshed', async () => {
      const app = await suite.start({ jwksRefreshIntervalSeconds: 600 });
      const oldKey = suite.issuer.currentKey;
      await suite.get(app, suite.issuer.token()).expect(200);
      const newKey = suite.issuer.rotateKeys({ dropOld: true });
      suite.now += 601_000; // the cached set is now stale
      await suite.get(app, suite.issuer.token({ key: oldKey })).expect(200); // served from cache, refresh starts
      await suite.get(app, suite.issuer.token({ key: newKey })).expect(200); // joins the refresh
      const response = await suite.get(app, suite.issuer.token({ key: oldKey }));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token signing key (kid) is unknown');
    });
  });

  describe('unknown kid flood', () => {
    it('makes at most 10 JWKS fetches a minute, whatever the traffic', async () => {
      const app = await suite.start();
      await suite.get(app, suite.issuer.token()).expect(200);
      const foreign = TestIssuer.foreignKey();
      const forged = () => suite.issuer.token({ key: { ...foreign, kid: randomUUID() } });
      const tokens = Array.from({ length: 40 }, forged);
      // half concurrently, half one after another
      const concurrent = await Promise.all(tokens.slice(0, 20).map((t) => suite.get(app, t)));
      const sequential = [];
      for (const t of tokens.slice(20)) sequential.push(await suite.get(app, t));
      for (const response of [...concurrent, ...sequential]) {
        expect(response.status).toBe(401);
        expect(response.body.error_description).toBe('token signing key (kid) is unknown');
      }
      expect(suite.issuer.jwksFetches).toBeLessThanOrEqual(10);
      expect(suite.issuer.jwksFetches).toBeGreaterThanOrEqual(2);
      // the cached keys still work while the budget is spent
      await suite.get(app, suite.issuer.token()).expect(200);
      const spent = suite.issuer.jwksFetches;
      // a rotated key is unknown until the window frees a fetch
      suite.issuer.rotateKeys();
      await suite.get(app, suite.issuer.token()).expect(401);
      expect(suite.issuer.jwksFetches).toBe(spent);
      suite.now += 60_001;
      await suite.get(app, suite.issuer.token()).expect(200);
      expect(suite.issuer.jwksFetches).toBe(spent + 1);
    });
  });

  describe('authorization server down', () => {
    it('starts anyway, answers 503 until keys are fetched, then recovers without restart', async () => {
      await suite.issuer.goDown('refuse');
      const app = await suite.start();
      await suite.get(app).expect(401); // no token: 401 even while down
      const down = await suite.get(app, suite.issuer.token());
      expect(down.status).toBe(503);
      expect(down.headers['www-authenticate']).toBeUndefined();
      expect(down.body).toEqual({
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'authorization server unavailable',
      });
      await suite.issuer.comeBack();
      await suite.get(app, suite.issuer.token()).expect(200);
    });

    it('keeps the cached keys working while the JWKS endpoint is down', async () => {
      const app = await suite.start();
      const token = suite.issuer.token();
      await suite.get(app, token).expect(200);
      await suite.issuer.goDown('http500');
      suite.now += 3600_000; // stale: each request tries a background refresh, which fails
      const fresh = suite.issuer.token();
      await suite.get(app, fresh).expect(200);
      await suite.get(app, fresh).expect(200);
      // an unknown kid while down, with keys cached, is the token's problem
      await suite.get(app, suite.issuer.token({ key: TestIssuer.foreignKey() })).expect(401);
    });

    it.each(['http500', 'garbage', 'refuse'] as const)(
      'answers 503 when the JWKS answers %s and no key was fetched',
      async (mode) => {
        await suite.issuer.goDown(mode);
        const app = await suite.start();
        await suite.get(app, suite.issuer.token()).expect(503);
      },
    );

    it('answers 503 within the time limit when the JWKS hangs', async () => {
      await suite.issuer.goDown('hang');
      const app = await suite.start({ httpTimeoutMs: 300 });
      const started = performance.now();
      await suite.get(app, suite.issuer.token()).expect(503);
      expect(performance.now() - started).toBeLessThan(300 + 700);
    });

    it('answers 503 when discovery names another issuer', async () => {
      suite.issuer.extraMetadata.issuer = 'https://evil.example.com';
      const app = await suite.start();
      await suite.get(app, suite.issuer.token()).expect(503);
      expect(suite.issuer.jwksFetches).toBe(0);
    });
  });

  describe('HS256 with a shared secret (FusionAuth default keys)', () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!';
    const claims = () => ({ iss: suite.issuer.url, aud: 'api', sub: 'u', exp: Math.floor(suite.now / 1000) + 60 });
    const hs256 = (key: string | Buffer, header: Record<string, unknown> = {}) =>
      signJws({ alg: 'HS256', typ: 'JWT', ...header }, claims(), createSecretKey(Buffer.from(key)));

    it('accepts an HS256 token without kid when the secret is configured', async () => {
      const app = await suite.start({ hmacSecret: secret, algorithms: ['RS256', 'HS256'] });
      await suite.get(app, hs256(secret)).expect(200);
      await suite.get(app, suite.issuer.token()).expect(200);
    });

    it('refuses HS256 signed with another secret', async () => {
      const app = await suite.start({ hmacSecret: secret, algorithms: ['HS256'] });
      const response = await suite.get(app, hs256('another-secret-of-at-least-32-bytes!!'));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token signature is invalid');
    });

    it('refuses HS256 when no secret is configured', async () => {
      const app = await suite.start();
      const response = await suite.get(app, hs256(secret));
      expect(response.status).toBe(401);
      expect(response.body.error_description).toBe('token algorithm is not accepted');
    });

    it('refuses HS256 signed with the RSA public key (algorithm confusion, CVE-2015-9235)', async () => {
      const pem = suite.issuer.currentKey.publicKey.export({ format: 'pem', type: 'spki' });
      const withoutSecret = await suite.start();
      await suite.get(withoutSecret, hs256(pem, { kid: suite.issuer.currentKey.kid })).expect(401);
      const withSecret = await suite.start({ hmacSecret: secret, algorithms: ['RS256', 'HS256'] });
      await suite.get(withSecret, hs256(pem, { kid: suite.issuer.currentKey.kid })).expect(401);
    });
  });
});
