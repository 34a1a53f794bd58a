import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, UseFilters, type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import {
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  AccessToken,
  BearerErrorFilter,
  Claim,
  Claims,
  claimsOfConnection,
  Public,
  RequireClaim,
  RequireRole,
  RequireScope,
  ResourceServerModule,
  TOKEN_REJECTED_CLOSE_CODE,
  type AccessTokenClaims,
  type ResourceServerOptions,
} from 'nest-resource-server';
import { ResourceServerIoAdapter } from 'nest-resource-server/socket.io';
import { TestIssuer } from 'nest-resource-server/testing';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { PLATFORMS, type Platform } from './support/probe-app.js';
import { resourceServerLogLines } from './support/log-lines.js';
import { openIo, openWs, type Opened, type Refusal, type TestClient } from '../../../test/support/websocket-clients.js';

const TRUSTED = 'http://app.example';

/** A gateway with a rule per kind of handler; every connection it saw, by `sub`. */
@WebSocketGateway({ path: '/live' })
@UseFilters(BearerErrorFilter) // Nest applies no global filter to gateways
class ProbeGateway implements OnGatewayConnection, OnGatewayDisconnect {
  static readonly connected: (string | undefined)[] = [];
  static disconnects = 0;

  handleConnection(client: object): void {
    ProbeGateway.connected.push(claimsOfConnection(client)?.sub);
  }

  handleDisconnect(): void {
    ProbeGateway.disconnects += 1;
  }

  @SubscribeMessage('whoami')
  whoami(@Claims() claims: AccessTokenClaims, @Claim('scope') scope: unknown) {
    return { event: 'whoami', data: { sub: claims.sub, scope } };
  }

  @RequireScope('todo:write')
  @SubscribeMessage('write')
  write() {
    return { event: 'written', data: true };
  }

  @RequireRole('admin')
  @RequireClaim('email_verified', true)
  @SubscribeMessage('admin')
  admin(@AccessToken() token: string) {
    return { event: 'admin', data: token };
  }

  @Public()
  @SubscribeMessage('ping')
  ping(@Claims() claims: AccessTokenClaims | undefined) {
    return { event: 'pong', data: { sub: claims?.sub ?? null } };
  }
}

type Kind = 'ws' | 'socket.io';

/** The probe gateway in an app on `platform`, behind the library's adapter for `kind` (or Nest's own). */
async function startGatewayApp(
  issuer: TestIssuer,
  platform: Platform,
  kind: Kind | 'plain ws',
  logger: LoggerService | LogLevel[] = ['error'],
  extra: Partial<ResourceServerOptions> & { global?: boolean } = {},
): Promise<{ app: INestApplication; port: number }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ResourceServerModule.forRoot({
        issuer: issuer.url,
        audience: 'api',
        realm: 'probe',
        clockToleranceSeconds: 0,
        trustedOrigins: [TRUSTED],
        ...extra,
      }),
    ],
    providers: [ProbeGateway],
  }).compile();
  const app = moduleRef.createNestApplication(platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
    logger,
  });
  app.useWebSocketAdapter(
    kind === 'ws'
      ? new ResourceServerWsAdapter(app)
      : kind === 'socket.io'
        ? new ResourceServerIoAdapter(app)
        : new WsAdapter(app),
  );
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

describe.each(PLATFORMS)('WebSocket gateways on %s', (platform) => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
  });
  afterAll(() => issuer.close());

  describe.each<Kind>(['ws', 'socket.io'])('behind the %s adapter', (kind) => {
    let app: INestApplication;
    let port: number;
    let open: (headers?: Record<string, string>, auth?: Record<string, unknown>) => Promise<Opened<TestClient>>;
    const clients: TestClient[] = [];

    beforeAll(async () => {
      const started = await startGatewayApp(issuer, platform, kind);
      app = started.app;
      port = started.port;
      open = async (headers, auth) => {
        const opened =
          kind === 'ws'
            ? await openWs(`ws://127.0.0.1:${started.port}/live`, headers)
            : await openIo(`http://127.0.0.1:${started.port}`, headers, auth);
        if (opened.client) clients.push(opened.client);
        return opened;
      };
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      await app.close();
    });

    const connected = async (headers?: Record<string, string>, auth?: Record<string, unknown>) => {
      const opened = await open(headers, auth);
      expect(opened.refused).toBeUndefined();
      return opened.client!;
    };
    const refused = async (headers?: Record<string, string>, auth?: Record<string, unknown>): Promise<Refusal> => {
      const before = ProbeGateway.connected.length;
      const opened = await open(headers, auth);
      expect(opened.client).toBeUndefined();
      expect(ProbeGateway.connected).toHaveLength(before); // the gateway never saw it
      return opened.refused!;
    };
    /** What the refusal says, `ws` (the upgrade's HTTP answer) and socket.io (`connect_error`) alike. */
    const expectRefusal = (refusal: Refusal, status: number, reason: string, challenge?: string) => {
      expect(refusal.status).toBe(status);
      expect(refusal.body).toMatchObject({ reason });
      if (kind === 'ws') {
        expect(refusal.headers['www-authenticate']).toBe(challenge);
        expect(refusal.headers['content-type']).toBe('application/json');
      }
    };

    it('admits a token from the Authorization header; @Claims() and @Claim() read it', async () => {
      const client = await connected({ authorization: `Bearer ${issuer.token({ claims: { sub: 'ada' } })}` });
      client.send('whoami');
      await expect(client.next('whoami')).resolves.toEqual({ sub: 'ada', scope: 'openid' });
      expect(ProbeGateway.connected).toContain('ada'); // handleConnection saw the claims
    });

    it('admits a token cookie when the Origin is trusted', async () => {
      const client = await connected({
        cookie: `app.at=${issuer.token({ claims: { sub: 'cookie-user' } })}`,
        origin: TRUSTED,
      });
      client.send('whoami');
      await expect(client.next('whoami')).resolves.toMatchObject({ sub: 'cookie-user' });
    });

    it('refuses a token cookie from an untrusted Origin (403 csrf_rejected, no challenge)', async () => {
      const refusal = await refused({ cookie: `app.at=${issuer.token()}`, origin: 'http://evil.example' });
      expectRefusal(refusal, 403, 'csrf_rejected');
    });

    it('refuses a token cookie without an Origin', async () => {
      expectRefusal(await refused({ cookie: `app.at=${issuer.token()}` }), 403, 'csrf_rejected');
    });

    it('refuses a handshake without a token (401 token_missing)', async () => {
      expectRefusal(await refused(), 401, 'token_missing', 'Bearer realm="probe"');
    });

    it('never reads a token from the URL (?access_token=: 401 token_missing; URLs end up in logs)', async () => {
      const token = issuer.token();
      const opened =
        kind === 'ws'
          ? await openWs(`ws://127.0.0.1:${port}/live?access_token=${token}`)
          : await openIo(`http://127.0.0.1:${port}?access_token=${token}`);
      if (opened.client) clients.push(opened.client);
      expect(opened.client).toBeUndefined();
      expectRefusal(opened.refused!, 401, 'token_missing', 'Bearer realm="probe"');
    });

    it('refuses a token expired at connect (401 token_expired)', async () => {
      const refusal = await refused({ authorization: `Bearer ${issuer.token({ expiresInSeconds: -60 })}` });
      expectRefusal(
        refusal,
        401,
        'token_expired',
        'Bearer realm="probe", error="invalid_token", error_description="token expired"',
      );
    });

    it('refuses an id token (401 token_type_not_accepted)', async () => {
      const idToken = issuer.token({ claims: { nonce: 'n-1', scope: undefined, at_hash: 'x' } });
      const refusal = await refused({ authorization: `Bearer ${idToken}` });
      expect(refusal.status).toBe(401);
      expect(refusal.body).toMatchObject({ error: 'invalid_token', reason: 'token_type_not_accepted' });
    });

    it('refuses two different tokens (400 two_tokens)', async () => {
      const refusal = await refused({
        authorization: `Bearer ${issuer.token()}`,
        cookie: `app.at=${issuer.token()}`,
        origin: TRUSTED,
      });
      expectRefusal(refusal, 400, 'two_tokens', 'Bearer realm="probe", error="invalid_request"');
    });

    it('never puts the token in a refusal', async () => {
      const token = issuer.token({ claims: { aud: 'another-api' } });
      const refusal = await refused({ authorization: `Bearer ${token}` });
      expect(refusal.body).toMatchObject({ reason: 'audience_mismatch' });
      expect(JSON.stringify(refusal)).not.toContain(token);
    });

    it('answers a message refused by @RequireScope in-band (403) and keeps the connection open', async () => {
      const client = await connected({ authorization: `Bearer ${issuer.token()}` });
      client.send('write');
      await expect(client.next('exception')).resolves.toEqual({
        status: 403,
        error: 'insufficient_scope',
        error_description: 'token lacks a required scope',
        message: 'token lacks a required scope',
        reason: 'scope_missing',
        scope: 'todo:write',
      });
      client.send('whoami');
      await expect(client.next('whoami')).resolves.toMatchObject({ sub: 'user-1' });
      expect(client.isOpen).toBe(true);
    });

    it('applies @RequireRole() and @RequireClaim() to a message; @AccessToken() reads the token', async () => {
      const user = await connected({ authorization: `Bearer ${issuer.token({ claims: { email_verified: true } })}` });
      user.send('admin');
      await expect(user.next('exception')).resolves.toMatchObject({ status: 403, reason: 'role_missing' });
      const unverified = issuer.token({ claims: { roles: ['admin'] } });
      const admin = await connected({ authorization: `Bearer ${unverified}` });
      admin.send('admin');
      await expect(admin.next('exception')).resolves.toMatchObject({ status: 403, reason: 'claim_missing' });
      const token = issuer.token({ claims: { roles: ['admin'], email_verified: true } });
      const verified = await connected({ authorization: `Bearer ${token}` });
      verified.send('admin');
      await expect(verified.next('admin')).resolves.toBe(token);
    });

    it('runs a message handler whose scope the token has', async () => {
      const client = await connected({ authorization: `Bearer ${issuer.token({ claims: { scope: 'todo:write' } })}` });
      client.send('write');
      await expect(client.next('written')).resolves.toBe(true);
    });

    it('ends the connection when its token expires', async () => {
      const client = await connected({ authorization: `Bearer ${issuer.token({ expiresInSeconds: 3 })}` });
      client.send('whoami');
      await expect(client.next('whoami')).resolves.toMatchObject({ sub: 'user-1' });
      const closed = await client.closed(); // the timer at exp (no tolerance here) closes it
      await expect(client.next('exception')).resolves.toMatchObject({ status: 401, reason: 'token_expired' });
      if (kind === 'ws') expect(closed).toEqual({ code: TOKEN_REJECTED_CLOSE_CODE, reason: 'token_expired' });
      else expect(closed).toEqual({ reason: 'io server disconnect' });
    });

    if (kind === 'socket.io') {
      it('admits a token from the auth payload', async () => {
        const client = await connected({}, { token: issuer.token({ claims: { sub: 'auth-user' } }) });
        client.send('whoami');
        await expect(client.next('whoami')).resolves.toMatchObject({ sub: 'auth-user' });
      });

      it('admits a token from the auth payload over long polling, and refuses none', async () => {
        const url = `http://127.0.0.1:${port}`;
        const token = issuer.token({ claims: { sub: 'polling-user' } });
        const { client } = await openIo(url, {}, { token }, ['polling']);
        clients.push(client!);
        client!.send('whoami');
        await expect(client!.next('whoami')).resolves.toMatchObject({ sub: 'polling-user' });
        const { refused } = await openIo(url, {}, undefined, ['polling']);
        expect(refused).toMatchObject({ status: 401, body: { reason: 'token_missing' } });
      });

      it('admits the auth payload token without an Origin even with the same token cookie', async () => {
        const token = issuer.token({ claims: { sub: 'both' } });
        const client = await connected({ cookie: `app.at=${token}` }, { token });
        client.send('whoami');
        await expect(client.next('whoami')).resolves.toMatchObject({ sub: 'both' });
      });

      it('refuses an auth payload token that differs from the header (400 two_tokens)', async () => {
        const refusal = await refused({ authorization: `Bearer ${issuer.token()}` }, { token: issuer.token() });
        expectRefusal(refusal, 400, 'two_tokens');
      });

      it('refuses an auth payload token that is not a string (400 bad_header)', async () => {
        expectRefusal(await refused({}, { token: 42 }), 400, 'bad_header');
      });

      it('refuses an invalid auth payload token (401 invalid_token)', async () => {
        const refusal = await refused({}, { token: 'not-a-jwt' });
        expect(refusal).toMatchObject({ status: 401, body: { error: 'invalid_token', reason: 'token_malformed' } });
      });
    }
  });
});

describe("a gateway behind Nest's own WsAdapter (no handshake verification)", () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    ({ app, port } = await startGatewayApp(issuer, 'express', 'plain ws'));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('refuses every message but @Public() ones (401 token_missing) and closes the connection', async () => {
    // a header the plain adapter never looks at: only a verified handshake opens a handler
    const { client } = await openWs(`ws://127.0.0.1:${port}/live`, { authorization: `Bearer ${issuer.token()}` });
    client!.send('ping');
    await expect(client!.next('pong')).resolves.toEqual({ sub: null });
    client!.send('whoami');
    await expect(client!.next('exception')).resolves.toMatchObject({ status: 401, reason: 'token_missing' });
    await expect(client!.closed()).resolves.toEqual({ code: TOKEN_REJECTED_CLOSE_CODE, reason: 'token_missing' });
  });
});

describe.each<Kind>(['ws', 'socket.io'])('WebSocket refusal logs (%s)', (kind) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    const logger = new ConsoleLogger({ json: true, colors: false });
    ({ app, port } = await startGatewayApp(issuer, 'express', kind, logger));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  const open = (headers: Record<string, string>) =>
    kind === 'ws' ? openWs(`ws://127.0.0.1:${port}/live`, headers) : openIo(`http://127.0.0.1:${port}`, headers);

  it('logs a refused handshake once, with its reason and without the token', async () => {
    const token = issuer.token({ claims: { aud: 'another-api' } });
    const lines = await resourceServerLogLines(async () => {
      const opened = await open({ authorization: `Bearer ${token}` });
      expect(opened.refused).toBeDefined();
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      context: 'ResourceServer',
      params: { outcome: 'rejected', status: 401, reason: 'audience_mismatch', method: 'GET' },
    });
    expect(lines[0]).not.toContain(token.split('.')[2]!.slice(0, 12));
  });

  it('logs a message refused in-band once, without the token', async () => {
    const token = issuer.token();
    const { client } = await open({ authorization: `Bearer ${token}` });
    const lines = await resourceServerLogLines(async () => {
      client!.send('write');
      await client!.next('exception');
    });
    client!.close();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: '403 scope_missing WS write',
      params: { outcome: 'rejected', status: 403, reason: 'scope_missing', method: 'WS', path: 'write' },
    });
    expect(lines[0]).not.toContain(token.split('.')[2]!.slice(0, 12));
  });
});

/** A gateway in an app that forgot `ResourceServerModule`. */
@WebSocketGateway({ path: '/bare' })
class BareGateway {
  @SubscribeMessage('ping')
  ping() {
    return { event: 'pong', data: 1 };
  }
}

describe.each<Kind>(['ws', 'socket.io'])('the %s adapter without ResourceServerModule', (kind) => {
  it('stops the app at start-up, naming the module', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [BareGateway] }).compile();
    const app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    app.useWebSocketAdapter(kind === 'ws' ? new ResourceServerWsAdapter(app) : new ResourceServerIoAdapter(app));
    await expect(app.init()).rejects.toThrow('ResourceServerModule is not imported');
    await app.close().catch(() => undefined);
  });
});

describe.each<Kind>(['ws', 'socket.io'])('a message once the token has expired (%s)', (kind) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let port: number;
  let aheadMs = 0; // the module's clock, moved past exp without waiting for the connection's timer
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    ({ app, port } = await startGatewayApp(issuer, 'express', kind, ['error'], { clock: () => Date.now() + aheadMs }));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('is refused in-band by the guard (401 token_expired), and the connection ends', async () => {
    const headers = { authorization: `Bearer ${issuer.token({ expiresInSeconds: 60 })}` };
    const { client } = await (kind === 'ws'
      ? openWs(`ws://127.0.0.1:${port}/live`, headers)
      : openIo(`http://127.0.0.1:${port}`, headers));
    client!.send('whoami');
    await expect(client!.next('whoami')).resolves.toMatchObject({ sub: 'user-1' });
    aheadMs = 120_000;
    client!.send('whoami');
    await expect(client!.next('exception')).resolves.toMatchObject({
      status: 401,
      error: 'invalid_token',
      reason: 'token_expired',
    });
    const closed = await client!.closed();
    if (kind === 'ws') expect(closed).toEqual({ code: TOKEN_REJECTED_CLOSE_CODE, reason: 'token_expired' });
    else expect(closed).toEqual({ reason: 'io server disconnect' });
    expect(client!.unread()).toEqual([]); // the handler never ran
  });
});

// Nest 11 runs no global guard on gateways; a module without the global guard (global: false)
// is the same situation on Nest 12: the adapters put the module's guard on the gateway
describe.each<Kind>(['ws', 'socket.io'])(
  'a gateway naming no guard, the module without its global one (%s)',
  (kind) => {
    let issuer: TestIssuer;
    let app: INestApplication;
    let port: number;
    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'api' });
      ({ app, port } = await startGatewayApp(issuer, 'express', kind, ['error'], { global: false }));
    });
    afterAll(async () => {
      await app.close();
      await issuer.close();
    });

    it('still applies @RequireScope() to its messages (403 in-band), and admits the ones the token may send', async () => {
      const headers = { authorization: `Bearer ${issuer.token()}` };
      const { client } = await (kind === 'ws'
        ? openWs(`ws://127.0.0.1:${port}/live`, headers)
        : openIo(`http://127.0.0.1:${port}`, headers));
      client!.send('write');
      await expect(client!.next('exception')).resolves.toMatchObject({ status: 403, reason: 'scope_missing' });
      client!.send('whoami');
      await expect(client!.next('whoami')).resolves.toMatchObject({ sub: 'user-1' });
      client!.close();
    });
  },
);

describe('the ws adapter beside another WebSocket server on the same HTTP server', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let port: number;
  let other: WebSocketServer;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    ({ app, port } = await startGatewayApp(issuer, 'express', 'ws'));
    // as @nestjs/graphql serves subscriptions: a listener of its own, for its own path only
    other = new WebSocketServer({ noServer: true });
    other.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
    (app.getHttpServer() as HttpServer).on('upgrade', (request, socket, head) => {
      if (request.url?.startsWith('/other'))
        other.handleUpgrade(request, socket, head, (ws) => other.emit('connection', ws));
    });
  });
  afterAll(async () => {
    other.close();
    await app.close();
    await issuer.close();
  });

  it("leaves the other server's upgrades alone and still verifies its own", async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/other`);
    const echoed = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send('hi');
    await expect(echoed).resolves.toBe('echo hi');
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    const { refused } = await openWs(`ws://127.0.0.1:${port}/live`);
    expect(refused).toMatchObject({ status: 401, body: { reason: 'token_missing' } });
  });
});

describe('the ws adapter alone on its HTTP server', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    ({ app, port } = await startGatewayApp(issuer, 'express', 'ws'));
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('drops an upgrade to a path without a gateway, as Nest does', async () => {
    await expect(
      openWs(`ws://127.0.0.1:${port}/nowhere`, { authorization: `Bearer ${issuer.token()}` }),
    ).rejects.toThrow('socket hang up');
  });
});
