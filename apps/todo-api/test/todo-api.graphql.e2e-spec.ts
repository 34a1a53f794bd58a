import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const ORIGIN = 'http://localhost:3000';

interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions: Record<string, unknown> }[];
}

describe.each(['express', 'fastify'])('todo-api /graphql on HTTP_PLATFORM=%s', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    // as an operator may run it: Apollo would show stacks outside production (and Jest's `test`)
    const nodeEnv = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'development';
    try {
      api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
        OAUTH_ISSUER: issuer.url,
        HTTP_PLATFORM: platform,
        CORS_ORIGINS: ORIGIN,
      });
    } finally {
      process.env['NODE_ENV'] = nodeEnv;
    }
  });
  afterAll(async () => {
    await api.close();
    await issuer.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    request(api.url).post('/graphql').set('content-type', 'application/json').set(headers).send(JSON.stringify(body));
  const gql = async (query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) => {
    const response = await post({ query, variables }, headers);
    expect(response.status).toBe(200);
    return response.body as GraphqlBody;
  };
  const bearer = (claims: Record<string, unknown> = {}) => ({
    authorization: `Bearer ${issuer.token({ claims: { sub: `${platform}-alice`, ...claims } })}`,
  });

  it('answers me with the verified claims', async () => {
    const body = await gql('{ me }', bearer({ scope: 'openid' }));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['me']).toMatchObject({ sub: `${platform}-alice`, aud: 'todo-api', scope: 'openid' });
  });

  it('refuses me without a token: UNAUTHENTICATED, token_missing', async () => {
    const body = await gql('{ me }');
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
      reason: 'token_missing',
      wwwAuthenticate: 'Bearer realm="todo-api"',
    });
  });

  it('tells an expired token apart: reason token_expired', async () => {
    const expired = {
      authorization: `Bearer ${issuer.token({ claims: { exp: Math.floor(Date.now() / 1000) - 60 } })}`,
    };
    const body = await gql('{ todos { id } }', expired);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_expired' });
  });

  it('adds a todo with todo:write and lists it, in the store the REST routes share', async () => {
    const writer = bearer({ scope: 'todo:write' });
    const added = await gql('mutation Add($title: String!) { addTodo(title: $title) { id title done } }', writer, {
      title: ' milk ',
    });
    expect(added.errors).toBeUndefined();
    const todo = added.data?.['addTodo'] as { id: string; title: string; done: boolean };
    expect(todo).toMatchObject({ title: 'milk', done: false });
    const listed = await gql('{ todos { id title } }', writer);
    expect(listed.data).toEqual({ todos: [{ id: todo.id, title: 'milk' }] });
    const rest = await request(api.url).get('/todos').set(writer).expect(200);
    expect(rest.body).toEqual([expect.objectContaining({ id: todo.id, title: 'milk' })]);
  });

  it("lists only the caller's todos", async () => {
    const other = await gql('{ todos { id } }', bearer({ sub: `${platform}-bob` }));
    expect(other.data).toEqual({ todos: [] });
  });

  it('refuses addTodo without todo:write: FORBIDDEN, scope_missing, nothing added', async () => {
    const reader = bearer({ sub: `${platform}-carol`, scope: 'openid' });
    const body = await gql('mutation { addTodo(title: "x") { id } }', reader);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      status: 403,
      reason: 'scope_missing',
      scope: 'todo:write',
    });
    expect((await gql('{ todos { id } }', reader)).data).toEqual({ todos: [] });
  });

  it('refuses a cookie-borne addTodo from another origin: csrf_rejected', async () => {
    const token = issuer.token({ claims: { sub: `${platform}-dave`, scope: 'todo:write' } });
    const cookie = { cookie: `app.at=${token}` };
    const refused = await gql('mutation { addTodo(title: "x") { id } }', { ...cookie, origin: 'http://evil.example' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'csrf_rejected' });
    const allowed = await gql('mutation { addTodo(title: "x") { id } }', { ...cookie, origin: ORIGIN });
    expect(allowed.errors).toBeUndefined();
  });

  it('answers a body over 64 KiB with 413, and a bad title as BAD_REQUEST', async () => {
    await post({ query: `{ me } # ${'x'.repeat(70_000)}` }, bearer()).expect(413);
    const body = await gql('mutation { addTodo(title: "  ") { id } }', bearer({ scope: 'todo:write' }));
    expect(body.errors?.[0]?.extensions['code']).toBe('BAD_REQUEST');
    expect(body.errors?.[0]?.extensions['stacktrace']).toBeUndefined();
  });
});
