import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Public, RequireScope, ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

const RESOURCE = 'https://probe.example.com';
const METADATA_PATH = '/.well-known/oauth-protected-resource';
const RESOURCE_METADATA = `resource_metadata="${RESOURCE}${METADATA_PATH}"`;

/** Scopes on a class, on methods, and on a public route (which requires nothing). */
@RequireScope('c:class')
@Controller('scoped')
class ScopedController {
  @RequireScope('c:method', 'a:read')
  @Get()
  read(): string {
    return 'read';
  }

  @Public()
  @RequireScope('c:public-only')
  @Get('open')
  open(): string {
    return 'open';
  }
}

// the probe app's own routes require a:read, a:write (ProbeController) and b:read, b:write (AudienceBController)
const SCOPES = ['a:read', 'a:write', 'b:read', 'b:write', 'c:class', 'c:method'];

describe.each(PLATFORMS)('protected resource metadata, RFC 9728 (%s)', (platform) => {
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];
  const start = async (options: Partial<ResourceServerOptions>, module?: 'async') => {
    const base = { issuer: issuer.url, audience: 'probe', ...options };
    const app = await createProbeApp(base, {
      platform,
      controllers: [ScopedController],
      module:
        module === 'async' ? ResourceServerModule.forRootAsync({ useFactory: () => Promise.resolve(base) }) : undefined,
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await issuer?.close();
  });

  describe('with resource set', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await start({ resource: RESOURCE });
    });

    it('answers the metadata without a token', async () => {
      const response = await request(app.getHttpServer()).get(METADATA_PATH).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        resource: RESOURCE,
        authorization_servers: [issuer.url],
        bearer_methods_supported: ['header'],
        scopes_supported: SCOPES,
      });
    });

    it('answers the metadata even with an invalid token', async () => {
      await request(app.getHttpServer()).get(METADATA_PATH).set('authorization', 'Bearer nope').expect(200);
    });

    it.each<[string, Record<string, string>, string]>([
      ['no token', {}, `Bearer realm="probe", ${RESOURCE_METADATA}`],
      [
        'an invalid token',
        { authorization: 'Bearer a.b.c' },
        `Bearer realm="probe", error="invalid_token", error_description="token is not a JWS in compact form", ${RESOURCE_METADATA}`,
      ],
    ])('names the metadata in the 401 challenge for %s', async (_case, headers, challenge) => {
      const response = await request(app.getHttpServer()).get('/claims').set(headers).expect(401);
      expect(response.headers['www-authenticate']).toBe(challenge);
    });

    it('names the metadata in the 401 for an expired token', async () => {
      const expired = issuer.token({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
      const response = await request(app.getHttpServer())
        .get('/claims')
        .set('authorization', `Bearer ${expired}`)
        .expect(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer realm="probe", error="invalid_token", error_description="token expired", ${RESOURCE_METADATA}`,
      );
    });

    it('leaves it out of a 403', async () => {
      const response = await request(app.getHttpServer())
        .get('/two-scopes')
        .set('authorization', `Bearer ${issuer.token()}`)
        .expect(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="probe", error="insufficient_scope", scope="a:read a:write"',
      );
    });

    it('leaves it out of a 400', async () => {
      const response = await request(app.getHttpServer()).get('/claims').set('authorization', 'Bearer ').expect(400);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="probe", error="invalid_request"');
    });
  });

  describe('with resource and mTLS', () => {
    it('says certificate-bound tokens are supported', async () => {
      const app = await start({ resource: RESOURCE, mtls: true });
      const response = await request(app.getHttpServer()).get(METADATA_PATH).expect(200);
      expect(response.body.tls_client_certificate_bound_access_tokens).toBe(true);
    });
  });

  describe('without resource', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await start({});
    });

    it('has no metadata route', async () => {
      await request(app.getHttpServer()).get(METADATA_PATH).expect(404);
    });

    it('names no metadata in the 401 challenge', async () => {
      const response = await request(app.getHttpServer()).get('/claims').expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="probe"');
    });
  });

  describe('under forRootAsync', () => {
    it('answers the metadata when the factory sets resource', async () => {
      const app = await start({ resource: RESOURCE }, 'async');
      const response = await request(app.getHttpServer()).get(METADATA_PATH).expect(200);
      expect(response.body).toMatchObject({ resource: RESOURCE, scopes_supported: SCOPES });
    });

    it('answers 404 when it does not', async () => {
      const app = await start({}, 'async');
      const response = await request(app.getHttpServer()).get(METADATA_PATH).expect(404);
      expect(response.headers['www-authenticate']).toBeUndefined();
    });
  });

  it('refuses a resource with a path at start-up', async () => {
    await expect(start({ resource: `${RESOURCE}/api` })).rejects.toThrow(/resource: expected a URL without path/);
  });
});
