import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const ORIGIN = 'http://localhost:3000';

/** What a client sees of a response, less what differs between any two responses (date, ids). */
interface Seen {
  readonly status: number;
  readonly headers: readonly string[];
  readonly body: string;
}

// one request, sent alike to both platforms: method, path, headers, body, expected status
type Row = [string, string, string, (issuer: TestIssuer) => Record<string, string>, string | undefined, number];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (token?: string) => ({ 'content-type': 'application/json', ...(token ? bearer(token) : {}) });
const writer = (issuer: TestIssuer) => issuer.token({ claims: { scope: 'todo:write' } });

const rows: Row[] = [
  ['GET /health', 'GET', '/health', () => ({}), undefined, 200],
  ['GET /HEALTH/ (Express routes any case, trailing slash optional)', 'GET', '/HEALTH/', () => ({}), undefined, 200],
  ['GET /me without a token', 'GET', '/me', () => ({}), undefined, 401],
  ['HEAD /me without a token', 'HEAD', '/me', () => ({}), undefined, 401],
  ['GET /me with a valid token', 'GET', '/me', (i) => bearer(i.token()), undefined, 200],
  ['GET /me with an expired token', 'GET', '/me', (i) => bearer(i.token({ claims: { exp: 1 } })), undefined, 401],
  [
    'GET /me with a help-api token in the cookie',
    'GET',
    '/me',
    (i) => ({ cookie: `app.at=${i.token({ claims: { aud: 'help-api' } })}` }),
    undefined,
    401,
  ],
  ['GET /me with Bearer and no token', 'GET', '/me', () => ({ authorization: 'Bearer' }), undefined, 400],
  [
    'GET /me with two different tokens',
    'GET',
    '/me',
    (i) => ({ ...bearer(i.token()), cookie: `app.at=${i.token()}` }),
    undefined,
    400,
  ],
  ['GET /me from the configured origin', 'GET', '/me', () => ({ origin: ORIGIN }), undefined, 401],
  ['GET /health from another origin', 'GET', '/health', () => ({ origin: 'http://evil.example' }), undefined, 200],
  ['POST /todos with invalid JSON and no token', 'POST', '/todos', () => json(), '{not json', 401],
  [
    'POST /todos with a form and no token',
    'POST',
    '/todos',
    () => ({ 'content-type': 'application/x-www-form-urlencoded' }),
    'title=x',
    401,
  ],
  ['POST /todos with invalid JSON', 'POST', '/todos', (i) => json(writer(i)), '{not json', 400],
  [
    'POST /todos with text',
    'POST',
    '/todos',
    (i) => ({ ...bearer(writer(i)), 'content-type': 'text/plain' }),
    'x',
    400,
  ],
  ['POST /todos with no body', 'POST', '/todos', (i) => json(writer(i)), undefined, 400],
  [
    'POST /todos with a body over 16 KiB',
    'POST',
    '/todos',
    (i) => json(writer(i)),
    JSON.stringify({ title: 'x'.repeat(20_000) }),
    413,
  ],
  ['POST /todos without a title', 'POST', '/todos', (i) => json(writer(i)), '{}', 400],
  ['POST /todos without the scope', 'POST', '/todos', (i) => json(i.token()), '{"title":"x"}', 403],
  ['POST /todos', 'POST', '/todos', (i) => json(writer(i)), '{"title":"x"}', 201],
  ['DELETE /todos/:id without the role', 'DELETE', '/todos/x', (i) => bearer(i.token()), undefined, 403],
  [
    'DELETE /todos/:id of an unknown id',
    'DELETE',
    '/todos/x',
    (i) => bearer(i.token({ claims: { roles: 'admin' } })),
    undefined,
    404,
  ],
  [
    'DELETE /todos/:id with a 300-character id and no token',
    'DELETE',
    `/todos/${'a'.repeat(300)}`,
    () => ({}),
    undefined,
    401,
  ],
  ['PUT /me (no such route)', 'PUT', '/me', () => json(), '{}', 404],
  ['GET /nowhere', 'GET', '/nowhere', () => ({}), undefined, 404],
  [
    'a preflight from the configured origin',
    'OPTIONS',
    '/todos',
    () => ({
      origin: ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    }),
    undefined,
    204,
  ],
  [
    'a preflight from another origin',
    'OPTIONS',
    '/todos',
    () => ({ origin: 'http://evil.example', 'access-control-request-method': 'POST' }),
    undefined,
    204,
  ],
  ['OPTIONS without Origin', 'OPTIONS', '/todos', () => ({}), undefined, 204],
];

describe('todo-api on HTTP_PLATFORM=express and =fastify: the same answers', () => {
  let issuer: TestIssuer;
  let express: RunningApp;
  let fastify: RunningApp;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    const env = { OAUTH_ISSUER: issuer.url, CORS_ORIGINS: ORIGIN };
    const start = (platform: string) =>
      startSampleApp(
        (o) => TodoApiModule.forRoot(o),
        { port: 3001, audience: 'todo-api' },
        { ...env, HTTP_PLATFORM: platform },
      );
    express = await start('express');
    fastify = await start('fastify');
  });
  afterAll(async () => {
    await express?.close();
    await fastify?.close();
    await issuer.close();
  });

  it.each(rows)(
    'answers %s with the same status, headers and body',
    async (_name, method, path, headers, body, status) => {
      const sent = headers(issuer); // one token for both: the claims echoed back must match
      const onExpress = await see(express, method, path, sent, body);
      const onFastify = await see(fastify, method, path, sent, body);
      expect(onExpress.status).toBe(status);
      expect(onFastify).toEqual(onExpress);
    },
  );
});

async function see(
  api: RunningApp,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Seen> {
  const response = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: [...response.headers]
      .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
      .map(([name, value]) => `${name}: ${value}`)
      .sort(),
    // a created todo's id and time are its own on each platform
    body: text.replace(/"(id|createdAt)":"[^"]*"/g, '"$1":"…"'),
  };
}
