import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { signJws, TestIssuer } from 'nest-resource-server/testing';
import { rawRequest } from '../../../test/support/raw-http.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const ORIGIN = 'http://localhost:3000';
const REALM = 'Bearer realm="todo-api"';
const invalid = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`;

describe.each(['express', 'fastify'])('todo-api on HTTP_PLATFORM=%s (operator contract)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;
  const server = () => api.app.getHttpServer();

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      OAUTH_ISSUER: issuer.url,
      HTTP_PLATFORM: platform,
      CORS_ORIGINS: ORIGIN,
    });
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
  });

  const now = () => Math.floor(Date.now() / 1000);

  describe('RFC 6750 responses on GET /me', () => {
    // each row: a token (or none), the expected status, WWW-Authenticate and body
    const rows: [string, () => Record<string, string>, number, () => string | undefined, Record<string, unknown>][] = [
      ['no token', () => ({}), 401, () => REALM, { statusCode: 401 }],
      [
        'an expired token',
        () => bearer(issuer.token({ claims: { exp: now() - 60 } })),
        401,
        () => invalid('token expired'),
        { error: 'invalid_token', error_description: 'token expired' },
      ],
      [
        'a token not valid yet (nbf beyond tolerance)',
        () => bearer(issuer.token({ claims: { nbf: now() + 120 } })),
        401,
        () => invalid('token is not valid yet'),
        { error: 'invalid_token' },
      ],
      [
        'a token issued in the future',
        () => bearer(issuer.token({ claims: { iat: now() + 120 } })),
        401,
        () => invalid('token was issued in the future'),
        { error: 'invalid_token' },
      ],
      [
        'a token from another issuer',
        () => bearer(issuer.token({ claims: { iss: `${issuer.url}/` } })),
        401,
        () => invalid('token issuer is not accepted'),
        { error: 'invalid_token' },
      ],
      [
        'a token for another audience',
        () => bearer(issuer.token({ claims: { aud: 'help-api' } })),
        401,
        () => invalid('token audience is not accepted'),
        { error: 'invalid_token' },
      ],
      [
        'a token without exp',
        () => bearer(issuer.token({ claims: { exp: undefined } })),
        401,
        () => invalid('token exp claim is missing or not a number'),
        { error: 'invalid_token' },
      ],
      [
        'a token signed by a key the issuer does not publish (kid reused)',
        () => bearer(issuer.token({ key: { ...TestIssuer.foreignKey(), kid: issuer.currentKey.kid } })),
        401,
        () => invalid('token signature is invalid'),
        { error: 'invalid_token' },
      ],
      [
        'alg none',
        () => bearer(signJws({ alg: 'none', kid: issuer.currentKey.kid }, claims())),
        401,
        () => invalid('token algorithm is not accepted'),
        { error: 'invalid_token' },
      ],
      [
        'an unsupported typ',
        () => bearer(issuer.token({ header: { typ: 'id+jwt' } })),
        401,
        () => invalid('token type (typ) is not an access token'),
        { error: 'invalid_token' },
      ],
      [
        'an unknown crit header',
        () => bearer(issuer.token({ header: { crit: ['exp'], exp: 1 } })),
        401,
        () => invalid('token has critical header parameters this server does not understand'),
        { error: 'invalid_token' },
      ],
      [
        'a token without kid',
        () => bearer(issuer.token({ header: { kid: undefined } })),
        401,
        () => invalid('token has no key id (kid)'),
        { error: 'invalid_token' },
      ],
      [
        'a well-formed value that is no JWT',
        () => bearer('opaque-token-value'),
        401,
        () => invalid('token is not a JWS in compact form'),
        { error: 'invalid_token' },
      ],
      [
        'Bearer with no token',
        () => ({ authorization: 'Bearer' }),
        400,
        () => `${REALM}, error="invalid_request"`,
        { error: 'invalid_request' },
      ],
      [
        'Bearer with characters outside b64token',
        () => ({ authorization: 'Bearer abc,def' }),
        400,
        () => `${REALM}, error="invalid_request"`,
        { error: 'invalid_request' },
      ],
      [
        'header and cookie carrying different tokens',
        () => ({ ...bearer(issuer.token()), cookie: `app.at=${issuer.token()}` }),
        400,
        () => `${REALM}, error="invalid_request"`,
        { error: 'invalid_request' },
      ],
      ['a Basic scheme (no bearer token)', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 401, () => REALM, {}],
      ['only the refresh-token cookie', () => ({ cookie: `app.rt=${issuer.token()}` }), 401, () => REALM, {}],
    ];

    it.each(rows)(
      'answers %s with the contract status and challenge',
      async (_name, headers, status, challenge, body) => {
        const response = await request(server()).get('/me').set(headers());
        expect(response.status).toBe(status);
        expect(response.headers['www-authenticate']).toBe(challenge());
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body).toMatchObject(body);
      },
    );

    it('never echoes the token in a rejection', async () => {
      const token = issuer.token({ claims: { aud: 'help-api' } });
      const response = await request(server()).get('/me').set(bearer(token));
      expect(response.status).toBe(401);
      expect(JSON.stringify(response.headers) + response.text).not.toContain(token.split('.')[1]);
    });
  });

  describe('token sources', () => {
    it('accepts the token from the Authorization header, scheme in any case', async () => {
      const response = await request(server()).get('/me').set('Authorization', `bEaReR ${issuer.token()}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub: 'user-1', aud: 'todo-api' });
    });

    it('accepts the token from the app.at cookie among other cookies', async () => {
      const token = issuer.token();
      const response = await request(server()).get('/me').set('Cookie', `theme=dark; app.at=${token}; app.rt=refresh`);
      expect(response.status).toBe(200);
    });

    it('accepts the same token in header and cookie', async () => {
      const token = issuer.token();
      const response = await request(server())
        .get('/me')
        .set({ ...bearer(token), cookie: `app.at=${token}` });
      expect(response.status).toBe(200);
    });

    it('ignores a token in the query string', async () => {
      const response = await request(server()).get(`/me?access_token=${issuer.token()}`);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(REALM);
    });

    it('ignores a token in a form body', async () => {
      const response = await request(server())
        .post('/todos')
        .type('form')
        .send({ access_token: issuer.token({ claims: { scope: 'todo:write' } }) });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(REALM);
    });

    it('answers 400 invalid_request for two different Authorization headers', async () => {
      const response = await rawRequest(api.port, 'GET', '/me', [
        `Authorization: Bearer ${issuer.token()}`,
        `Authorization: Bearer ${issuer.token()}`,
      ]);
      expect(response.status).toBe(400);
      expect(response.headers['www-authenticate']).toContain('error="invalid_request"');
    });

    it('answers 400 invalid_request for two different token cookies', async () => {
      const response = await rawRequest(api.port, 'GET', '/me', [
        `Cookie: app.at=${issuer.token()}`,
        `Cookie: app.at=${issuer.token()}`,
      ]);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('routes', () => {
    it('answers GET /health without a token', async () => {
      await request(server()).get('/health').expect(200, { status: 'ok' });
    });

    it('returns the verified claims on GET /me', async () => {
      const response = await request(server())
        .get('/me')
        .set(bearer(issuer.token({ claims: { sub: 'alice', name: 'Alice' } })));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sub: 'alice', name: 'Alice', iss: issuer.url });
    });

    it("lists only the caller's todos", async () => {
      const write = (sub: string) => bearer(issuer.token({ claims: { sub, scope: 'todo:write' } }));
      await request(server()).post('/todos').set(write('bob')).send({ title: 'bob 1' }).expect(201);
      await request(server()).post('/todos').set(write('carol')).send({ title: 'carol 1' }).expect(201);
      const response = await request(server()).get('/todos').set(write('bob'));
      expect(response.status).toBe(200);
      expect(response.body.map((t: { title: string }) => t.title)).toEqual(['bob 1']);
    });

    it('creates a todo with scope todo:write (201 with the item)', async () => {
      const response = await request(server())
        .post('/todos')
        .set(bearer(issuer.token({ claims: { scope: 'openid todo:write' } })))
        .send({ title: 'buy milk' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ title: 'buy milk', owner: 'user-1', id: expect.any(String) });
    });

    it.each([
      ['no scope', { scope: undefined }],
      ['a near-miss scope', { scope: 'todo:writer todo:read' }],
      ['the scope as a substring', { scope: 'xtodo:write' }],
    ])('answers 403 insufficient_scope to POST /todos with %s', async (_name, claims) => {
      const response = await request(server())
        .post('/todos')
        .set(bearer(issuer.token({ claims })))
        .send({ title: 'x' });
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="todo:write"`);
      expect(response.body).toMatchObject({ error: 'insufficient_scope', scope: 'todo:write' });
    });

    it('accepts the scope from an scp array', async () => {
      const token = issuer.token({ claims: { scope: undefined, scp: ['todo:write'] } });
      await request(server()).post('/todos').set(bearer(token)).send({ title: 'scp' }).expect(201);
    });

    it('answers 400 to POST /todos with a valid token and no title', async () => {
      const token = issuer.token({ claims: { scope: 'todo:write' } });
      await request(server()).post('/todos').set(bearer(token)).send({}).expect(400);
    });

    it.each([
      ['invalid JSON', 'application/json', '{not json'],
      ['a malformed content type', ';;;', '{"title":"x"}'],
      ['a form', 'application/x-www-form-urlencoded', 'title=x'],
      ['a body over 16 KiB', 'application/json', JSON.stringify({ title: 'x'.repeat(20_000) })],
    ])(
      'answers 401, not 400 or 413, to POST /todos with %s and no token (the token comes first)',
      async (_name, type, body) => {
        const response = await request(server()).post('/todos').set('content-type', type).send(body);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(REALM);
      },
    );

    it.each([
      [400, 'invalid JSON', 'application/json', '{not json', 'body is not valid JSON'],
      [400, 'text', 'text/plain', 'buy milk', 'expected an application/json body'],
      [
        413,
        'a body over 16 KiB',
        'application/json',
        JSON.stringify({ title: 'x'.repeat(20_000) }),
        'body over 16384 bytes',
      ],
    ])('answers %i to POST /todos with %s and a valid token', async (status, _name, type, body, message) => {
      const token = issuer.token({ claims: { scope: 'todo:write' } });
      const response = await request(server()).post('/todos').set(bearer(token)).set('content-type', type).send(body);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, message, error: expect.any(String) });
    });

    it('reads a JSON body whose media type has a +json suffix and a charset', async () => {
      const token = issuer.token({ claims: { scope: 'todo:write' } });
      const response = await request(server())
        .post('/todos')
        .set(bearer(token))
        .set('content-type', 'application/merge-patch+json; charset=utf-8')
        .send('{"title":"suffixed"}');
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ title: 'suffixed' });
    });

    it('deletes a todo for role admin (204), then 404', async () => {
      const created = await request(server())
        .post('/todos')
        .set(bearer(issuer.token({ claims: { scope: 'todo:write' } })))
        .send({ title: 'to delete' });
      const admin = bearer(issuer.token({ claims: { roles: ['user', 'admin'] } }));
      await request(server()).delete(`/todos/${created.body.id}`).set(admin).expect(204);
      await request(server()).delete(`/todos/${created.body.id}`).set(admin).expect(404);
    });

    it('counts a single-string roles claim as one role', async () => {
      const admin = bearer(issuer.token({ claims: { roles: 'admin' } }));
      await request(server()).delete('/todos/unknown').set(admin).expect(404);
    });

    it.each([
      ['no roles', { roles: undefined }],
      ['another role', { roles: ['support'] }],
      ['a near-miss role', { roles: ['administrator', 'Admin'] }],
      ['the role in another claim', { roles: undefined, role: 'admin' }],
    ])('answers 403 to DELETE /todos/:id with %s', async (_name, claims) => {
      const response = await request(server())
        .delete('/todos/any')
        .set(bearer(issuer.token({ claims })));
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        `${REALM}, error="insufficient_scope", error_description="requires the role admin"`,
      );
    });
  });

  describe('headers', () => {
    it.each([
      ['GET /health', () => request(server()).get('/health'), 200],
      ['GET /me without a token', () => request(server()).get('/me'), 401],
      ['GET /nowhere', () => request(server()).get('/nowhere'), 404],
    ])('sends no X-Powered-By (%s)', async (_name, send, status) => {
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('answers a preflight from the configured origin with credentials, methods and max age', async () => {
      const response = await request(server()).options('/todos/1').set({
        origin: ORIGIN,
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization',
      });
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
      expect(response.headers['access-control-allow-headers']).toBe('authorization');
      expect(response.headers['access-control-max-age']).toBe('600');
    });

    it('exposes WWW-Authenticate to the configured origin on a 401', async () => {
      const response = await request(server()).get('/me').set('origin', ORIGIN);
      expect(response.status).toBe(401);
      expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-expose-headers']).toBe('WWW-Authenticate');
    });

    it('allows no other origin', async () => {
      const preflight = await request(server())
        .options('/todos')
        .set({ origin: 'http://evil.example', 'access-control-request-method': 'POST' });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await request(server()).get('/health').set('origin', 'http://evil.example');
      expect(simple.status).toBe(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('routes a path in another case or with a trailing slash as Express does', async () => {
      await request(server()).get('/HEALTH/').expect(200, { status: 'ok' });
      const response = await request(server()).get('/Me/');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(REALM);
    });
  });

  function claims(): Record<string, unknown> {
    return { iss: issuer.url, aud: 'todo-api', sub: 'user-1', exp: now() + 300 };
  }
});

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
