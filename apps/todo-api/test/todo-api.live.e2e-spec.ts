import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { openWs, type TestClient } from '../../../test/support/websocket-clients.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const ORIGIN = 'http://localhost:3000';

describe.each(['express', 'fastify'])('todo-api /live on %s', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
      OAUTH_ISSUER: issuer.url,
      CORS_ORIGINS: ORIGIN,
      HTTP_PLATFORM: platform,
    });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await api.close();
    await issuer.close();
  });

  const live = async (headers: Record<string, string>): Promise<TestClient> => {
    const opened = await openWs(`${api.url.replace('http', 'ws')}/live`, headers);
    expect(opened.refused).toBeUndefined();
    clients.push(opened.client!);
    return opened.client!;
  };
  const tokenOf = (sub: string, claims: Record<string, unknown> = {}) =>
    issuer.token({ claims: { sub, scope: 'todo:write', ...claims } });
  const create = async (sub: string, title: string) => {
    const response = await fetch(`${api.url}/todos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf(sub)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; owner: string; title: string };
  };
  const remove = async (id: string) => {
    const admin = tokenOf('admin', { roles: ['admin'] });
    const response = await fetch(`${api.url}/todos/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(response.status).toBe(204);
  };

  it("pushes each user's own todo changes, and never another user's", async () => {
    const alice = await live({ authorization: `Bearer ${tokenOf('alice')}` });
    // the web page's way: the app.at cookie, from an origin the API trusts
    const bob = await live({ cookie: `app.at=${tokenOf('bob')}`, origin: ORIGIN });

    const alicesTodo = await create('alice', 'buy milk');
    await expect(alice.next('todo.created')).resolves.toEqual(alicesTodo);
    const bobsTodo = await create('bob', 'walk the dog');
    // a connection gets its events in the order they happened: had Bob been sent Alice's todo,
    // it would be here before his own
    await expect(bob.next('todo.created')).resolves.toEqual(bobsTodo);
    expect(bob.unread()).toEqual([]);

    await remove(bobsTodo.id);
    await expect(bob.next('todo.deleted')).resolves.toEqual(bobsTodo);
    await remove(alicesTodo.id);
    await expect(alice.next('todo.deleted')).resolves.toEqual(alicesTodo);
    expect(alice.unread()).toEqual([]);
    expect(bob.unread()).toEqual([]);
  });

  it("answers the caller's todos on request", async () => {
    const carol = await live({ authorization: `Bearer ${tokenOf('carol')}` });
    const todo = await create('carol', 'water the plants');
    await carol.next('todo.created');
    carol.send('todos');
    await expect(carol.next('todos')).resolves.toEqual([todo]);
  });

  it.each([
    ['no token', {}, 401, 'token_missing'],
    ['the cookie from an untrusted origin', { origin: 'http://evil.example' }, 403, 'csrf_rejected'],
    ['the cookie without an origin', {}, 403, 'csrf_rejected'],
  ])('refuses a handshake with %s', async (name, headers: Record<string, string>, status, reason) => {
    const cookie: Record<string, string> = name.startsWith('the cookie')
      ? { cookie: `app.at=${tokenOf('mallory')}` }
      : {};
    const opened = await openWs(`${api.url.replace('http', 'ws')}/live`, { ...cookie, ...headers });
    expect(opened.refused).toMatchObject({ status, body: { reason } });
  });
});
