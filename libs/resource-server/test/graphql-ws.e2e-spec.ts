import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { GRAPHQL_WS_CLOSE_CODES, type VerificationEvent } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import WebSocket from 'ws';
import { createGraphqlProbeApp } from './support/graphql-probe-app.js';

const TRUSTED = 'https://app.example.com';

interface Message {
  readonly type: string;
  readonly id?: string;
  readonly payload?: unknown;
}

/** A graphql-transport-ws client that keeps every message and the close. */
class Connection {
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly socket: WebSocket;
  private waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(`${url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    this.socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      this.notify();
    });
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => {
        resolve({ code, reason: String(reason) });
        this.notify();
      }),
    );
  }

  /** Sends `connection_init` once open; resolves with the ack, or undefined when the server closed instead. */
  async init(payload?: Record<string, unknown>): Promise<Message | undefined> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
    this.send({ type: 'connection_init', payload });
    return this.next((m) => m.type === 'connection_ack');
  }

  subscribe(id: string, query: string): void {
    this.send({ id, type: 'subscribe', payload: { query } });
  }

  /** The first message matching, or undefined once the socket is closed without one. */
  async next(match: (message: Message) => boolean): Promise<Message | undefined> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.socket.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.close();
  }

  private send(message: Message): void {
    this.socket.send(JSON.stringify(message));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

describe.each(['express/apollo', 'fastify/apollo'] as const)('GraphQL subscriptions over graphql-ws (%s)', (setup) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  const events: VerificationEvent[] = [];
  const open: Connection[] = [];

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ({ app, url } = await createGraphqlProbeApp(
      {
        issuer: issuer.url,
        audience: 'probe',
        realm: 'probe',
        clockToleranceSeconds: 0,
        cookieName: 'app.at',
        trustedOrigins: [TRUSTED],
        verificationListener: { onVerification: (event) => events.push(event) },
      },
      setup,
    ));
  });
  afterAll(async () => {
    for (const connection of open) connection.close();
    await app?.close();
    await issuer?.close();
  });
  beforeEach(() => {
    events.length = 0;
  });

  const connect = (headers?: Record<string, string>) => {
    const connection = new Connection(url, headers);
    open.push(connection);
    return connection;
  };
  const token = (claims: Record<string, unknown> = {}, expiresInSeconds?: number) =>
    issuer.token({ claims: { sub: 'alice', scope: 'p:read', ...claims }, expiresInSeconds });

  it('admits a connection whose connection_init carries a token, and streams to it', async () => {
    const connection = connect();
    expect(await connection.init({ authorization: `Bearer ${token()}` })).toEqual({ type: 'connection_ack' });
    connection.subscribe('1', 'subscription { ticks }');
    const next = await connection.next((m) => m.type === 'next' && m.id === '1');
    expect(next?.payload).toEqual({ data: { ticks: 'tick for alice' } });
    expect(events.map((event) => [event.outcome, event.handler])).toEqual([
      ['accepted', 'GraphqlWsConnection.connectionInit'],
    ]); // the subscription reused the connection's token
    connection.close();
  });

  it.each<[string, () => { payload?: Record<string, unknown>; headers?: Record<string, string> }, number, string]>([
    ['no token', () => ({ payload: {} }), GRAPHQL_WS_CLOSE_CODES.unauthorized, 'token_missing'],
    ['an expired token', () => ({ payload: { authorization: `Bearer ${token({}, -60)}` } }), 4401, 'token_expired'],
    [
      'an id token',
      () => ({ payload: { authorization: `Bearer ${token({ at_hash: 'x' })}` } }),
      4401,
      'token_type_not_accepted',
    ],
    [
      'a cookie-borne token from an untrusted origin',
      () => ({ headers: { cookie: `app.at=${token()}`, origin: 'https://evil.example' } }),
      GRAPHQL_WS_CLOSE_CODES.forbidden,
      'csrf_rejected',
    ],
    [
      'a cookie-borne token without an Origin',
      () => ({ headers: { cookie: `app.at=${token()}` } }),
      4403,
      'csrf_rejected',
    ],
    [
      'two different tokens',
      () => ({
        payload: { authorization: `Bearer ${token()}` },
        headers: { cookie: `app.at=${token({ sub: 'bob' })}` },
      }),
      GRAPHQL_WS_CLOSE_CODES.badRequest,
      'two_tokens',
    ],
  ])('closes a connection with %s at connection_init', async (_case, given, code, reason) => {
    const { payload, headers } = given();
    const connection = connect(headers);
    expect(await connection.init(payload)).toBeUndefined();
    expect(await connection.closed).toEqual({ code, reason });
    expect(connection.messages).toEqual([]);
  });

  it('admits a cookie-borne token from a trusted origin', async () => {
    const connection = connect({ cookie: `app.at=${token()}`, origin: TRUSTED });
    expect(await connection.init()).toEqual({ type: 'connection_ack' });
    connection.close();
  });

  it("applies a subscription's own rules with the connection's token", async () => {
    const connection = connect();
    expect(await connection.init({ authorization: `Bearer ${token({ scope: 'openid' })}` })).toBeDefined();
    connection.subscribe('1', 'subscription { ticks }');
    const answer = await connection.next((m) => m.id === '1' && (m.type === 'next' || m.type === 'error'));
    const errors = (answer?.payload as { errors?: { extensions: Record<string, unknown> }[] }).errors;
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'scope_missing', scope: 'p:read' });
    connection.close();
  });

  it('closes the connection with 4401 token_expired when its token expires', async () => {
    const connection = connect();
    expect(await connection.init({ authorization: `Bearer ${token({}, 2)}` })).toBeDefined();
    connection.subscribe('1', 'subscription { ticks }');
    expect(await connection.next((m) => m.type === 'next')).toBeDefined();
    const startedAt = Date.now();
    expect(await connection.closed).toEqual({ code: GRAPHQL_WS_CLOSE_CODES.unauthorized, reason: 'token_expired' });
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});

describe('GraphQL subscriptions over graphql-ws without graphqlWsAuthentication', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ({ app, url } = await createGraphqlProbeApp({ issuer: issuer.url, audience: 'probe' }, 'express/apollo', {
      graphqlWs: false,
    }));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('refuses a protected subscription whatever the connection carries: token_missing', async () => {
    const connection = new Connection(url, {
      authorization: `Bearer ${issuer.token({ claims: { scope: 'p:read' } })}`,
    });
    expect(await connection.init({ authorization: `Bearer ${issuer.token({ claims: { scope: 'p:read' } })}` })).toEqual(
      {
        type: 'connection_ack',
      },
    );
    connection.subscribe('1', 'subscription { ticks }');
    const answer = await connection.next((m) => m.id === '1' && (m.type === 'next' || m.type === 'error'));
    const errors = (answer?.payload as { errors?: { extensions: Record<string, unknown> }[] }).errors;
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_missing' });
    connection.close();
  });
});

describe('GraphQL while the authorization server is unreachable', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    await issuer.goDown('refuse'); // before the app's first JWKS fetch: no key, ever
    ({ app, url } = await createGraphqlProbeApp({ issuer: issuer.url, audience: 'probe' }, 'express/apollo'));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('closes a connection with 1013 at connection_init', async () => {
    const connection = new Connection(url);
    expect(await connection.init({ authorization: `Bearer ${issuer.token()}` })).toBeUndefined();
    expect((await connection.closed).code).toBe(GRAPHQL_WS_CLOSE_CODES.unavailable);
  });

  it('answers a query with SERVICE_UNAVAILABLE, never data', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.token()}` },
      body: JSON.stringify({ query: '{ me { sub } }' }),
    });
    const body = (await response.json()) as { data: unknown; errors: { extensions: Record<string, unknown> }[] };
    expect(body.data).toEqual({ me: null });
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      error: 'temporarily_unavailable',
      retryAfterSeconds: 5,
    });
  });
});

describe("Mercurius's own subscriptions (not supported)", () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ({ app, url } = await createGraphqlProbeApp({ issuer: issuer.url, audience: 'probe' }, 'fastify/mercurius'));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('refuses a protected subscription, whatever token the connection carries', async () => {
    const token = issuer.token({ claims: { scope: 'p:read' } });
    const connection = new Connection(url, { authorization: `Bearer ${token}` });
    expect(await connection.init({ authorization: `Bearer ${token}` })).toEqual({ type: 'connection_ack' });
    connection.subscribe('1', 'subscription { ticks }');
    const answer = await connection.next((m) => m.id === '1' && (m.type === 'next' || m.type === 'error'));
    expect(answer).toMatchObject({ type: 'error', payload: [{ message: 'Forbidden resource', path: ['ticks'] }] });
    connection.close();
  });
});
