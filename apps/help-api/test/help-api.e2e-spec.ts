import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { HelpApiModule } from '../src/help-api.module.js';

const REALM = 'Bearer realm="help-api"';

describe.each(['express', 'fastify'])('help-api on HTTP_PLATFORM=%s (operator contract, JWT strategy)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;
  const server = () => api.app.getHttpServer();
  const cookie = (claims: Record<string, unknown> = {}) => ({ cookie: `app.at=${issuer.token({ claims })}` });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'help-api' });
    api = await startSampleApp(
      (o) => HelpApiModule.forRoot(o),
      { port: 3002, audience: 'help-api' },
      { OAUTH_ISSUER: issuer.url, HTTP_PLATFORM: platform },
    );
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
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
