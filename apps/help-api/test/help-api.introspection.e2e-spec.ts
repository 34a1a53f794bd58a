import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { HelpApiModule } from '../src/help-api.module.js';

const REALM = 'Bearer realm="help-api"';

describe.each(['express', 'fastify'])(
  'help-api on HTTP_PLATFORM=%s with OAUTH_STRATEGY=introspection (operator contract)',
  (platform) => {
    let issuer: TestIssuer;
    let api: RunningApp;
    const server = () => api.app.getHttpServer();
    const bearer = (claims: Record<string, unknown> = {}) => ({
      authorization: `Bearer ${issuer.opaqueToken({ claims })}`,
    });

    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'help-api' });
      issuer.addIntrospectionClient('help-api', 'help-secret');
      api = await startSampleApp(
        (o) => HelpApiModule.forRoot(o),
        { port: 3002, audience: 'help-api' },
        {
          OAUTH_ISSUER: issuer.url,
          OAUTH_STRATEGY: 'introspection',
          OAUTH_CLIENT_ID: 'help-api',
          OAUTH_CLIENT_SECRET: 'help-secret',
          OAUTH_HTTP_TIMEOUT_MS: '500',
          HTTP_PLATFORM: platform,
        },
      );
    });
    afterAll(async () => {
      await api.close();
      await issuer.close();
    });

    it.each<[string, () => Record<string, string>, number, string | undefined]>([
      ['no token', () => ({}), 401, REALM],
      [
        'an unknown opaque token',
        () => ({ authorization: 'Bearer unknown' }),
        401,
        `${REALM}, error="invalid_token", error_description="token is not active"`,
      ],
      [
        'a todo-api token',
        () => bearer({ aud: 'todo-api' }),
        401,
        `${REALM}, error="invalid_token", error_description="token audience is not accepted"`,
      ],
      ['a valid token', () => bearer(), 200, undefined],
      ['a valid token in the cookie', () => ({ cookie: `app.at=${issuer.opaqueToken()}` }), 200, undefined],
      ['Bearer with no token', () => ({ authorization: 'Bearer ' }), 400, `${REALM}, error="invalid_request"`],
    ])('answers GET /tickets with %s', async (_name, headers, status, challenge) => {
      const response = await request(server()).get('/tickets').set(headers());
      expect(response.status).toBe(status);
      expect(response.headers['www-authenticate']).toBe(challenge);
    });

    it('checks scope and role on the introspected claims', async () => {
      await request(server())
        .post('/tickets')
        .set(bearer({ scope: 'help:write' }))
        .send({ subject: 's' })
        .expect(201);
      const noScope = await request(server())
        .post('/tickets')
        .set(bearer({ scope: 'help:read' }))
        .send({ subject: 's' });
      expect(noScope.status).toBe(403);
      expect(noScope.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="help:write"`);
      await request(server())
        .get('/admin/tickets')
        .set(bearer({ roles: 'support' }))
        .expect(200);
      await request(server())
        .get('/admin/tickets')
        .set(bearer({ roles: ['admin'] }))
        .expect(403);
    });

    it('answers 503, never 2xx, while introspection fails, and recovers', async () => {
      const token = issuer.opaqueToken();
      issuer.failIntrospection('garbage');
      const garbage = await request(server()).get('/tickets').set('authorization', `Bearer ${token}`);
      expect(garbage.status).toBe(503);
      expect(garbage.headers['www-authenticate']).toBeUndefined();
      expect(garbage.headers['retry-after']).toBe('5');
      expect(garbage.headers['cache-control']).toBe('no-store');
      expect(garbage.body).toMatchObject({
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'authorization server unavailable',
      });
      issuer.failIntrospection('hang');
      await request(server()).get('/tickets').set('authorization', `Bearer ${token}`).expect(503);
      issuer.failIntrospection(undefined);
      await request(server()).get('/tickets').set('authorization', `Bearer ${token}`).expect(200);
      await request(server()).get('/articles').expect(200);
    });
  },
);
