import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { HelpApiModule } from '../src/help-api.module.js';

const REALM = 'Bearer realm="help-api"';

/** The page origin help-api trusts for cookie-borne writes (OAUTH_TRUSTED_ORIGINS). */
const PAGE_ORIGIN = 'http://help.example.test';

describe.each(['express', 'fastify'])('help-api on HTTP_PLATFORM=%s (operator contract, JWT strategy)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;
  const server = () => api.app.getHttpServer();
  /** The token cookie, sent as a page of the trusted origin sends it (with its `Origin`). */
  const cookie = (claims: Record<string, unknown> = {}) => ({
    cookie: `app.at=${issuer.token({ claims })}`,
    origin: PAGE_ORIGIN,
  });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'help-api' });
    api = await startSampleApp(
      (o) => HelpApiModule.forRoot(o),
      { port: 3002, audience: 'help-api' },
      { OAUTH_ISSUER: issuer.url, HTTP_PLATFORM: platform, OAUTH_TRUSTED_ORIGINS: PAGE_ORIGIN },
    );
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
  });

  describe('cookie-borne writes and the Origin rule (contract, second edition)', () => {
    const token = () => issuer.token({ claims: { scope: 'help:write' } });
    it.each<[string, Record<string, string | string[]>]>([
      ['no Origin', {}],
      ['an untrusted Origin', { origin: 'http://sibling.example.test' }],
      ['an Origin differing only by a trailing slash', { origin: `${PAGE_ORIGIN}/` }],
      ['the string null as Origin', { origin: 'null' }],
    ])('refuses POST /tickets by cookie with %s: 403 csrf_rejected, no challenge', async (_case, headers) => {
      const response = await request(server())
        .post('/tickets')
        .set({ cookie: `app.at=${token()}`, ...headers })
        .send({ subject: 'forged' });
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'csrf_rejected',
        error_description: expect.any(String),
        reason: 'csrf_rejected',
      });
    });

    it('refuses two Origin headers like a missing one', async () => {
      const response = await request(server())
        .post('/tickets')
        .set({ cookie: `app.at=${token()}`, origin: [PAGE_ORIGIN, PAGE_ORIGIN] } as Record<string, string | string[]>)
        .send({ subject: 'x' });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ reason: 'csrf_rejected' });
    });

    it('checks the Origin before the token: a forged cookie token is csrf_rejected, not invalid_token', async () => {
      const response = await request(server())
        .post('/tickets')
        .set('cookie', 'app.at=not-a-token')
        .send({ subject: 'x' });
      expect(response.body).toMatchObject({ reason: 'csrf_rejected' });
    });

    it('lets a header token write without an Origin, and reads by cookie without one', async () => {
      await request(server())
        .post('/tickets')
        .set('authorization', `Bearer ${token()}`)
        .send({ subject: 'api' })
        .expect(201);
      await request(server()).get('/tickets').set('cookie', `app.at=${token()}`).expect(200);
    });
  });

  it('answers GET /health and GET /articles without a token', async () => {
    await request(server()).get('/health').expect(200, { status: 'ok' });
    const articles = await request(server()).get('/articles').expect(200);
    expect(articles.body.length).toBeGreaterThan(0);
  });

  it('answers GET /articles even with an invalid token', async () => {
    await request(server()).get('/articles').set('authorization', 'Bearer junk').expect(200);
  });

  it('answers 401 with the help-api realm without a token', async () => {
    const response = await request(server()).get('/tickets');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
  });

  it('refuses a todo-api token (another audience)', async () => {
    const response = await request(server())
      .get('/tickets')
      .set(cookie({ aud: 'todo-api' }));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `${REALM}, error="invalid_token", error_description="token audience is not accepted"`,
    );
  });

  it("opens a ticket with scope help:write (201) and lists only the caller's tickets", async () => {
    const created = await request(server())
      .post('/tickets')
      .set(cookie({ sub: 'dave', scope: 'help:write' }))
      .send({ subject: 'printer on fire' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subject: 'printer on fire', owner: 'dave', status: 'open' });
    const mine = await request(server())
      .get('/tickets')
      .set(cookie({ sub: 'dave' }));
    expect(mine.body.map((t: { id: string }) => t.id)).toEqual([created.body.id]);
    const others = await request(server())
      .get('/tickets')
      .set(cookie({ sub: 'erin' }));
    expect(others.body).toEqual([]);
  });

  it('answers 403 insufficient_scope to POST /tickets without help:write', async () => {
    const response = await request(server())
      .post('/tickets')
      .set(cookie({ scope: 'help:read help:writer' }))
      .send({ subject: 'x' });
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="help:write"`);
  });

  it('answers 401, not 400, to POST /tickets with invalid JSON and no token', async () => {
    const response = await request(server()).post('/tickets').set('content-type', 'application/json').send('{not json');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(REALM);
  });

  it('answers 400 to POST /tickets with a valid token and no subject', async () => {
    const response = await request(server())
      .post('/tickets')
      .set(cookie({ scope: 'help:write' }))
      .set('content-type', 'application/json')
      .send('{"subject":""}');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ message: 'subject: expected a string of 1 to 200 characters' });
  });

  it('lists every ticket for role support, 403 otherwise', async () => {
    await request(server())
      .post('/tickets')
      .set(cookie({ sub: 'frank', scope: 'help:write' }))
      .send({ subject: 'a' })
      .expect(201);
    const all = await request(server())
      .get('/admin/tickets')
      .set(cookie({ roles: ['support'] }));
    expect(all.status).toBe(200);
    expect(all.body.some((t: { owner: string }) => t.owner === 'frank')).toBe(true);
    const refused = await request(server())
      .get('/admin/tickets')
      .set(cookie({ roles: ['admin'] }));
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toBe(
      `${REALM}, error="insufficient_scope", error_description="requires the role support"`,
    );
  });
});
