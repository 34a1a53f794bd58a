import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stepUpClaims, TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const STEP_UP = 'Bearer realm="todo-api", error="insufficient_user_authentication"';

describe.each(['express', 'fastify'])('todo-api DELETE /todos, step-up (HTTP_PLATFORM=%s)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      OAUTH_ISSUER: issuer.url,
      HTTP_PLATFORM: platform,
    });
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
  });

  const token = (claims: Record<string, unknown>) => issuer.token({ claims });
  const call = (method: string, path: string, bearer?: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  const stepped = (sub: string, authenticatedSecondsAgo = 0) =>
    token({ sub, scope: 'todo:write', ...stepUpClaims({ authenticatedSecondsAgo }) });
  const create = async (sub: string, title: string) => {
    const response = await call('POST', '/todos', token({ sub, scope: 'todo:write' }), { title });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const titlesOf = async (sub: string) => {
    const response = await call('GET', '/todos', token({ sub }));
    return ((await response.json()) as { title: string }[]).map((todo) => todo.title).sort();
  };

  it('deletes all of the caller’s todos, and only theirs, with scope, acr mfa and a recent auth_time: 204', async () => {
    await create('alice', 'a1');
    await create('alice', 'a2');
    await create('bob', 'b1');
    const response = await call('DELETE', '/todos', stepped('alice', 10));
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await titlesOf('alice')).toEqual([]);
    expect(await titlesOf('bob')).toEqual(['b1']);
  });

  it('answers 401 without a token', async () => {
    const response = await call('DELETE', '/todos');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="todo-api"');
  });

  it('answers 403 insufficient_scope without todo:write, even with mfa', async () => {
    await create('carol', 'c1');
    const response = await call('DELETE', '/todos', token({ sub: 'carol', ...stepUpClaims() }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="todo-api", error="insufficient_scope", scope="todo:write"',
    );
    expect(await titlesOf('carol')).toEqual(['c1']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'acr is not mfa',
      { acr: 'pwd', auth_time: Math.floor(Date.now() / 1000) },
      `${STEP_UP}, error_description="a stronger authentication is required", acr_values="mfa"`,
    ],
    [
      'auth_time is over 300 s (plus the tolerance) old',
      stepUpClaims({ authenticatedSecondsAgo: 400 }),
      `${STEP_UP}, error_description="a more recent authentication is required", max_age=300`,
    ],
    [
      'there is no auth_time',
      { acr: 'mfa' },
      `${STEP_UP}, error_description="a more recent authentication is required", max_age=300`,
    ],
    [
      'there is neither',
      {},
      `${STEP_UP}, error_description="a stronger authentication is required", acr_values="mfa", max_age=300`,
    ],
  ])('answers 401 insufficient_user_authentication when %s, and deletes nothing', async (_case, claims, challenge) => {
    await create('dave', 'd1');
    const response = await call('DELETE', '/todos', token({ sub: 'dave', scope: 'todo:write', ...claims }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    expect(await response.json()).toMatchObject({
      statusCode: 401,
      error: 'insufficient_user_authentication',
      reason: 'authentication_insufficient',
    });
    expect((await titlesOf('dave')).length).toBeGreaterThan(0);
  });

  it('keeps DELETE /todos/:id apart: the admin role, 404 for an unknown id, 204 for a known one', async () => {
    const id = await create('erin', 'e1');
    expect((await call('DELETE', `/todos/${id}`, stepped('erin'))).status).toBe(403);
    expect((await call('DELETE', '/todos/unknown', token({ roles: ['admin'] }))).status).toBe(404);
    expect((await call('DELETE', `/todos/${id}`, token({ roles: ['admin'] }))).status).toBe(204);
    expect(await titlesOf('erin')).toEqual([]);
  });

  it('does not take an admin token without the step-up for DELETE /todos', async () => {
    const response = await call('DELETE', '/todos', token({ roles: ['admin'], scope: 'todo:write' }));
    expect(response.status).toBe(401);
  });
});
