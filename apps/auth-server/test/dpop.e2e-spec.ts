import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { startDemoStack, type DemoStack } from '../../../test/support/demo-stack.js';
import { BFF_REDIRECT_URI, bffClient, logIn } from './support/login-flow.js';

const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const headerOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

/**
 * DPoP (RFC 9449) at the dev authorization server, with the `bff` client (confidential,
 * client_secret_basic) as apps/bff uses it: openid-client's DPoP handle on the token requests.
 */
describe('auth-server: DPoP-bound access tokens', () => {
  let stack: DemoStack;
  let config: client.Configuration;
  let dpop: client.DPoPHandle;
  let jkt: string;
  let tokens: client.TokenEndpointResponse;

  const introspect = async (token: string) => {
    const response = await fetch(config.serverMetadata().introspection_endpoint!, {
      method: 'POST',
      headers: { authorization: basic('help-api', 'help-secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    stack = await startDemoStack({ host: '127.0.0.1', accessTokenTtlSeconds: 300 });
    config = await bffClient(stack.issuer);
    dpop = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    jkt = await dpop.calculateThumbprint();
    tokens = (await logIn(config, 'alice', 'alice', BFF_REDIRECT_URI, { DPoP: dpop })).tokens;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('announces the DPoP algorithms it accepts', () => {
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toContain('ES256');
  });

  it("answers a code exchange with a proof with token_type DPoP and an at+jwt carrying the proof key's cnf.jkt", () => {
    expect(tokens.token_type).toBe('dpop');
    expect(headerOf(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(claimsOf(tokens.access_token)).toMatchObject({ cnf: { jkt }, client_id: 'bff', sub: 'alice' });
  });

  it('introspects a bound token as token_type DPoP with its cnf (RFC 9449 §6.2)', async () => {
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('refuses a bound token as Bearer at userinfo, which checks no proof', async () => {
    const response = await fetch(config.serverMetadata().userinfo_endpoint!, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it("binds a refreshed token to the refresh request's proof key: a confidential client's refresh token is not bound", async () => {
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: dpop });
    expect(refreshed.token_type).toBe('dpop');
    expect(claimsOf(refreshed.access_token).cnf).toEqual({ jkt });
    // oidc-provider binds refresh tokens for public clients only; bff's is guarded by its secret
    const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const rebound = await client.refreshTokenGrant(config, refreshed.refresh_token!, undefined, { DPoP: other });
    expect(claimsOf(rebound.access_token).cnf).toEqual({ jkt: await other.calculateThumbprint() });
    const bearer = await client.refreshTokenGrant(config, rebound.refresh_token!);
    expect([bearer.token_type, claimsOf(bearer.access_token).cnf]).toEqual(['bearer', undefined]);
  });
});
