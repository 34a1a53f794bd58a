import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ResourceServerConfigError, ResourceServerModule, type RejectionReason } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

/** One row of the RFC 6750 matrix: a request to `/claims` (or `path`) and the exact answer. */
interface Challenge {
  readonly name: string;
  readonly path?: string;
  /** Built once the suite's issuer exists. */
  readonly headers: (issuer: TestIssuer) => Record<string, string | string[]>;
  readonly status: number;
  readonly challenge: string;
  readonly body: Record<string, unknown>;
}

const noToken = (name: string, headers: Challenge['headers']): Challenge => ({
  name,
  headers,
  status: 401,
  challenge: 'Bearer realm="probe"',
  body: { statusCode: 401, message: 'bearer token required', reason: 'token_missing' },
});
const invalidRequest = (
  name: string,
  headers: Challenge['headers'],
  description: string,
  reason: RejectionReason,
): Challenge => ({
  name,
  headers,
  status: 400,
  challenge: 'Bearer realm="probe", error="invalid_request"', // the contract's challenge carries no description
  body: { statusCode: 400, error: 'invalid_request', error_description: description, reason },
});
const invalidToken = (
  name: string,
  headers: Challenge['headers'],
  description: string,
  reason: RejectionReason,
): Challenge => ({
  name,
  headers,
  status: 401,
  challenge: `Bearer realm="probe", error="invalid_token", error_description="${description}"`,
  body: { statusCode: 401, error: 'invalid_token', error_description: description, reason },
});
const bearerOf = (token: string) => ({ authorization: `Bearer ${token}` });

/** RFC 6750 §3 and §3.1: what each kind of request is answered, header and body alike. */
const CHALLENGES: Challenge[] = [
  noToken('no token', () => ({})),
  noToken('another scheme only', () => ({ authorization: 'Basic dTpw' })),
  noToken('an empty token cookie', () => ({ cookie: 'app.at=; theme=dark' })),
  invalidRequest(
    'the Bearer scheme without a token',
    () => ({ authorization: 'Bearer ' }),
    'Bearer scheme without a token',
    'bad_header',
  ),
  invalidRequest(
    'a token outside the b64token syntax',
    () => ({ authorization: 'Bearer a,b' }),
    'Bearer token has characters outside RFC 6750 b64token',
    'bad_header',
  ),
  invalidRequest(
    'two different Authorization headers',
    (issuer) => ({ authorization: [`Bearer ${issuer.token()}`, `Bearer ${issuer.token({ claims: { sub: 'b' } })}`] }),
    'request carries more than one Authorization header',
    'two_tokens',
  ),
  invalidRequest(
    'a header token and a different cookie token',
    (issuer) => ({ ...bearerOf(issuer.token()), cookie: `app.at=${issuer.token({ claims: { sub: 'b' } })}` }),
    'request carries two different tokens',
    'two_tokens',
  ),
  invalidRequest(
    'two different token cookies',
    (issuer) => ({ cookie: `app.at=${issuer.token()}; app.at=${issuer.token({ claims: { sub: 'b' } })}` }),
    'request carries two different token cookies',
    'two_tokens',
  ),
  invalidToken(
    'a token that is no JWT',
    () => bearerOf('not-a-jwt'),
    'token is not a JWS in compact form',
    'token_malformed',
  ),
  invalidToken(
    'an expired token',
    (issuer) => bearerOf(issuer.token({ expiresInSeconds: -120 })),
    'token expired',
    'token_expired',
  ),
  invalidToken(
    'a token for another audience',
    (issuer) => bearerOf(issuer.token({ claims: { aud: 'api-z' } })),
    'token audience is not accepted',
    'audience_mismatch',
  ),
  invalidToken(
    'a token signed by another key',
    (issuer) => bearerOf(issuer.token({ key: TestIssuer.foreignKey() })),
    'token signing key (kid) is unknown',
    'key_unknown',
  ),
  {
    name: 'a token without a required scope',
    path: '/two-scopes',
    headers: (issuer) => bearerOf(issuer.token({ claims: { scope: 'a:read' } })),
    status: 403,
    challenge: 'Bearer realm="probe", error="insufficient_scope", scope="a:read a:write"',
    body: {
      statusCode: 403,
      error: 'insufficient_scope',
      error_description: 'token lacks a required scope',
      reason: 'scope_missing',
      scope: 'a:read a:write',
    },
  },
];

describe.each(PLATFORMS)('ResourceServerModule (%s)', (platform) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  const server = () => app.getHttpServer();
  const bearer = (claims: Record<string, unknown> = {}) => ({ authorization: `Bearer ${issuer.token({ claims })}` });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api-a' });
    app = await createProbeApp({ issuer: issuer.url, audience: ['api-a', 'api-b'], realm: 'probe' }, { platform });
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it(`serves on ${platform}`, () => {
    expect(app.getHttpAdapter().getType()).toBe(platform);
  });

  describe('RFC 6750 challenges', () => {
    it.each(CHALLENGES)('answers $status to $name', async ({ path = '/claims', headers, status, challenge, body }) => {
      const response = await request(server()).get(path).set(headers(issuer));
      expect(response.status).toBe(status);
      expect(response.headers['www-authenticate']).toBe(challenge);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual(body);
    });

    it('answers 200 with the claims to a valid token in the header, and the same token in the cookie', async () => {
      const token = issuer.token({ claims: { sub: 'alice' } });
      for (const headers of [
        bearerOf(token),
        { cookie: `theme=dark; app.at=${token}` },
        { ...bearerOf(token), cookie: `app.at=${token}` },
      ]) {
        const response = await request(server()).get('/claims').set(headers);
        expect(response.status).toBe(200);
        expect(response.headers['www-authenticate']).toBeUndefined();
        expect(response.body).toMatchObject({ sub: 'alice', tokenLength: token.length });
      }
    });
  });

  describe('global guard', () => {
    it('protects every route by default (401 without a token)', async () => {
      const response = await request(server()).get('/unguarded');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="probe"');
    });

    it('lets @Public() routes through without a token, and with an invalid one', async () => {
      await request(server()).get('/public').expect(200, { claims: null });
      await request(server()).get('/public').set('authorization', 'Bearer not.a.token').expect(200);
    });

    it('lets a method-level @Public() open one route of a guarded class', async () => {
      await request(server()).get('/b/open').expect(200);
    });
  });

  describe('param decorators', () => {
    it('hands the handler the verified claims, one claim and the raw token', async () => {
      const token = issuer.token({ claims: { sub: 'alice' } });
      const response = await request(server()).get('/claims').set('authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        sub: 'alice',
        claims: { sub: 'alice', iss: issuer.url },
        tokenLength: token.length,
      });
    });
  });

  describe('@RequireScope', () => {
    it('needs every listed scope', async () => {
      await request(server())
        .get('/two-scopes')
        .set(bearer({ scope: 'a:read a:write' }))
        .expect(200);
      const response = await request(server())
        .get('/two-scopes')
        .set(bearer({ scope: 'a:read' }));
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="probe", error="insufficient_scope", scope="a:read a:write"',
      );
    });
  });

  describe('@RequireClaim', () => {
    it('enforces two claims on one method, by value and by predicate', async () => {
      await request(server())
        .get('/two-claims')
        .set(bearer({ email_verified: true, tenant: 'acme' }))
        .expect(200);
      await request(server())
        .get('/two-claims')
        .set(bearer({ email_verified: true, tenant: 'evil' }))
        .expect(403);
      await request(server())
        .get('/two-claims')
        .set(bearer({ email_verified: 'true', tenant: 'acme' }))
        .expect(403);
    });
  });

  describe('@RequireRole', () => {
    it('accepts any one of the listed roles', async () => {
      await request(server())
        .get('/any-role')
        .set(bearer({ roles: ['owner'] }))
        .expect(200);
      await request(server())
        .get('/any-role')
        .set(bearer({ roles: ['viewer'] }))
        .expect(403);
    });
  });

  describe('@RequireAudience with class and method rules', () => {
    it('answers 401 invalid_token to a token for another of the module’s audiences', async () => {
      const response = await request(server())
        .get('/b')
        .set(bearer({ aud: 'api-a', scope: 'b:read' }));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('applies the class scope and the method scope together', async () => {
      await request(server())
        .get('/b')
        .set(bearer({ aud: 'api-b', scope: 'b:read' }))
        .expect(200);
      await request(server())
        .delete('/b')
        .set(bearer({ aud: ['api-b'], scope: 'b:read' }))
        .expect(403);
      await request(server())
        .delete('/b')
        .set(bearer({ aud: ['api-b'], scope: 'b:write' }))
        .expect(403);
      await request(server())
        .delete('/b')
        .set(bearer({ aud: ['x', 'api-b'], scope: 'b:read b:write' }))
        .expect(200);
    });
  });

  describe('global: false', () => {
    let local: INestApplication;
    beforeAll(async () => {
      local = await createProbeApp({ issuer: issuer.url, audience: 'api-a' }, { platform, global: false });
    });
    afterAll(() => local.close());

    it('guards only controllers with @UseGuards(ResourceServerGuard)', async () => {
      await request(local.getHttpServer()).get('/unguarded').expect(200);
      await request(local.getHttpServer()).get('/guarded').expect(401);
      await request(local.getHttpServer()).get('/guarded').set(bearer()).expect(200);
    });
  });

  describe('forRootAsync', () => {
    it('builds the options with a factory', async () => {
      const asyncApp = await createProbeApp(
        { issuer: '', audience: '' },
        {
          platform,
          module: ResourceServerModule.forRootAsync({
            useFactory: async () => ({ issuer: issuer.url, audience: 'api-a' }),
          }),
        },
      );
      try {
        await request(asyncApp.getHttpServer()).get('/claims').set(bearer()).expect(200);
      } finally {
        await asyncApp.close();
      }
    });
  });

  describe('invalid options', () => {
    it('fail app.init() with one line per problem naming the option', async () => {
      const error = await createProbeApp(
        { issuer: 'not a url', audience: [], clockToleranceSeconds: -1 },
        { platform },
      ).catch((e) => e);
      expect(error).toBeInstanceOf(ResourceServerConfigError);
      expect((error as ResourceServerConfigError).problems).toEqual([
        'issuer: expected an http(s) URL, got "not a url"',
        'audience: expected one or more non-empty values, got ',
        'clockToleranceSeconds: expected seconds (a number ≥ 0), got -1',
      ]);
    });
  });

  describe('two apps in one process', () => {
    it('keep their own strategies and audiences', async () => {
      const other = await createProbeApp({ issuer: issuer.url, audience: 'api-z' }, { platform });
      try {
        await request(other.getHttpServer())
          .get('/claims')
          .set(bearer({ aud: 'api-z' }))
          .expect(200);
        await request(server())
          .get('/claims')
          .set(bearer({ aud: 'api-z' }))
          .expect(401);
        await request(other.getHttpServer())
          .get('/claims')
          .set(bearer({ aud: 'api-a' }))
          .expect(401);
      } finally {
        await other.close();
      }
    });
  });
});
