import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ResourceServerConfigError, ResourceServerModule } from '../src/index.js';
import { TestIssuer } from '../src/testing/index.js';
import { createProbeApp } from './test-app.js';

describe('ResourceServerModule', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  const server = () => app.getHttpServer();
  const bearer = (claims: Record<string, unknown> = {}) => ({ authorization: `Bearer ${issuer.token({ claims })}` });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api-a' });
    app = await createProbeApp({ issuer: issuer.url, audience: ['api-a', 'api-b'], realm: 'probe' });
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
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
      local = await createProbeApp({ issuer: issuer.url, audience: 'api-a' }, { global: false });
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
        {},
        ResourceServerModule.forRootAsync({ useFactory: async () => ({ issuer: issuer.url, audience: 'api-a' }) }),
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
      const error = await createProbeApp({ issuer: 'not a url', audience: [], clockToleranceSeconds: -1 }).catch(
        (e) => e,
      );
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
      const other = await createProbeApp({ issuer: issuer.url, audience: 'api-z' });
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
