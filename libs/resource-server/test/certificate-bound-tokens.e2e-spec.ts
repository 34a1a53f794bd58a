import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ResourceServerOptions } from 'nest-resource-server';
import {
  certificateBoundClaims,
  forwardedCertificateHeader,
  TestCertificateAuthority,
  TestIssuer,
  type TestCertificate,
} from 'nest-resource-server/testing';
import { get, type ClientTls } from '../../../test/support/https-client.js';
import { startProbeApp, type ListeningProbeApp } from './support/https-probe-app.js';
import { PLATFORMS } from './support/probe-app.js';

const HEADER = 'x-ssl-client-cert';
const BOUND =
  'Bearer realm="probe", error="invalid_token", error_description="token is bound to a client certificate the request does not present"';
const OTHER =
  'Bearer realm="probe", error="invalid_token", error_description="token is bound to another client certificate"';

describe.each(PLATFORMS)('certificate-bound tokens, RFC 8705 (%s)', (platform) => {
  let issuer: TestIssuer;
  let ca: TestCertificateAuthority;
  let alice: TestCertificate;
  let bob: TestCertificate;
  const apps: ListeningProbeApp[] = [];
  const start = async (options: Partial<ResourceServerOptions>, https = true) => {
    const app = await startProbeApp(
      { issuer: issuer.url, audience: 'probe', ...options },
      platform,
      https ? { server: await ca.server, ca: ca.cert } : undefined,
    );
    apps.push(app);
    return app;
  };
  const bearer = (claims: Record<string, unknown> = {}) => ({ authorization: `Bearer ${issuer.token({ claims })}` });
  const as = (client?: TestCertificate): ClientTls => ({
    ca: ca.cert,
    ...(client ? { cert: client.cert, key: client.key } : {}),
  });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ca = await TestCertificateAuthority.create();
    alice = await ca.issueClient('alice');
    bob = await ca.issueClient('bob');
  });
  afterAll(async () => {
    await Promise.all(apps.map(({ app }) => app.close()));
    await issuer?.close();
  });

  describe('with mtls over HTTPS', () => {
    let api: ListeningProbeApp;
    beforeAll(async () => {
      api = await start({ mtls: true });
    });

    it('serves a connection without a client certificate', async () => {
      const answer = await get(`${api.url}/claims`, bearer(), as());
      expect(answer.status).toBe(200);
    });

    it('accepts a token bound to the connection certificate', async () => {
      const answer = await get(`${api.url}/claims`, bearer(certificateBoundClaims(alice)), as(alice));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).claims.cnf).toEqual({ 'x5t#S256': alice.thumbprint });
    });

    it('refuses a bound token over a connection without a certificate: 401 token_bound', async () => {
      const answer = await get(`${api.url}/claims`, bearer(certificateBoundClaims(alice)), as());
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(BOUND);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_token', reason: 'token_bound' });
    });

    it('refuses a bound token over a connection with another certificate: 401 token_bound', async () => {
      const answer = await get(`${api.url}/claims`, bearer(certificateBoundClaims(alice)), as(bob));
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(OTHER);
      expect(JSON.parse(answer.body).reason).toBe('token_bound');
    });

    it('accepts an unbound token from a client with a certificate', async () => {
      expect((await get(`${api.url}/claims`, bearer(), as(bob))).status).toBe(200);
    });

    it('ignores the forwarded header when it is not configured', async () => {
      const headers = { ...bearer(certificateBoundClaims(alice)), [HEADER]: forwardedCertificateHeader(alice) };
      expect((await get(`${api.url}/claims`, headers, as())).status).toBe(401);
    });
  });

  describe('without mtls', () => {
    it('refuses a bound token even with its certificate: the binding cannot be checked', async () => {
      const api = await start({ mtls: false });
      const answer = await get(`${api.url}/claims`, bearer(certificateBoundClaims(alice)), as(alice));
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).reason).toBe('token_bound');
    });
  });

  describe('with introspection', () => {
    it('checks cnf.x5t#S256 of the introspection response the same way', async () => {
      issuer.addIntrospectionClient('probe', 'secret');
      const api = await start({
        mtls: true,
        strategy: 'introspection',
        introspection: { clientId: 'probe', clientSecret: 'secret' },
      });
      const headers = { authorization: `Bearer ${issuer.opaqueToken({ claims: certificateBoundClaims(alice) })}` };
      expect((await get(`${api.url}/claims`, headers, as(alice))).status).toBe(200);
      const refused = await get(`${api.url}/claims`, headers, as(bob));
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body).reason).toBe('token_bound');
    });
  });

  describe('with the verified-token cache', () => {
    it('checks the binding on every request, not once per token', async () => {
      const api = await start({ mtls: true, verifiedTokenCache: { ttlSeconds: 60 } });
      const headers = bearer(certificateBoundClaims(alice));
      expect((await get(`${api.url}/claims`, headers, as(alice))).status).toBe(200);
      expect((await get(`${api.url}/claims`, headers, as(bob))).status).toBe(401);
      expect((await get(`${api.url}/claims`, headers, as())).status).toBe(401);
    });
  });

  describe('behind a TLS-terminating proxy (forwardedClientCertificateHeader)', () => {
    let api: ListeningProbeApp;
    beforeAll(async () => {
      api = await start({ mtls: true, forwardedClientCertificateHeader: HEADER }, false);
    });

    it('accepts a bound token with its certificate in the configured header', async () => {
      const headers = { ...bearer(certificateBoundClaims(alice)), [HEADER]: forwardedCertificateHeader(alice) };
      expect((await get(`${api.url}/claims`, headers)).status).toBe(200);
    });

    it('refuses it with another certificate in the header', async () => {
      const headers = { ...bearer(certificateBoundClaims(alice)), [HEADER]: forwardedCertificateHeader(bob) };
      const answer = await get(`${api.url}/claims`, headers);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body).reason).toBe('token_bound');
    });

    it('refuses it without the header', async () => {
      expect((await get(`${api.url}/claims`, bearer(certificateBoundClaims(alice)))).status).toBe(401);
    });

    it('refuses it with the certificate in another header', async () => {
      const headers = { ...bearer(certificateBoundClaims(alice)), 'x-client-cert': forwardedCertificateHeader(alice) };
      expect((await get(`${api.url}/claims`, headers)).status).toBe(401);
    });
  });
});
