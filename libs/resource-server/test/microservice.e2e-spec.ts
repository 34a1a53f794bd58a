import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, UseFilters, UseGuards, type INestApplication, type INestMicroservice } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { AddressInfo, Server } from 'node:net';
import { firstValueFrom } from 'rxjs';
import {
  BearerErrorFilter,
  Claims,
  Public,
  RequireScope,
  ResourceServerGuard,
  ResourceServerModule,
  withAccessToken,
  type AccessTokenClaims,
  type ResourceServerOptions,
} from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';

/** Message handlers with a rule each; the token travels in the payload's envelope. */
@Controller()
class RpcProbeController {
  @MessagePattern('whoami')
  whoami(@Claims() claims: AccessTokenClaims, @Payload('data') data: unknown) {
    return { sub: claims.sub, data };
  }

  @RequireScope('todo:write')
  @MessagePattern('write')
  write() {
    return 'written';
  }

  @Public()
  @MessagePattern('health')
  health(@Claims() claims: AccessTokenClaims | undefined) {
    return { status: 'ok', sub: claims?.sub ?? null };
  }
}

const optionsFor = (issuer: TestIssuer): ResourceServerOptions => ({
  issuer: issuer.url,
  audience: 'api',
  realm: 'probe',
  clockToleranceSeconds: 0,
});
const TCP_PORT_0 = { transport: Transport.TCP, options: { host: '127.0.0.1', port: 0 } } as const;

function clientOf(server: Server): ClientProxy {
  const { port } = server.address() as AddressInfo;
  return ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
}

/** What `pattern` answers (or the error the client's observable ends with). */
async function ask(client: ClientProxy, pattern: string, payload: unknown): Promise<unknown> {
  return firstValueFrom(client.send(pattern, payload)).catch((error: unknown) => ({ rejected: error }));
}

describe('microservice message handlers (TCP)', () => {
  let issuer: TestIssuer;
  let microservice: INestMicroservice;
  let client: ClientProxy;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    const moduleRef = await Test.createTestingModule({
      imports: [ResourceServerModule.forRoot(optionsFor(issuer))],
      controllers: [RpcProbeController],
    }).compile();
    microservice = moduleRef.createNestMicroservice<MicroserviceOptions>({ ...TCP_PORT_0, logger: ['error'] });
    await microservice.listen();
    client = clientOf(microservice.unwrap<Server>());
  });
  afterAll(async () => {
    await client.close();
    await microservice.close();
    await issuer.close();
  });

  it('runs a handler for a valid token in the envelope; @Claims() and @Payload("data") read it', async () => {
    const token = issuer.token({ claims: { sub: 'ada' } });
    await expect(ask(client, 'whoami', withAccessToken(token, { n: 1 }))).resolves.toEqual({
      sub: 'ada',
      data: { n: 1 },
    });
  });

  it.each<[string, (issuer: TestIssuer) => unknown, Record<string, unknown>]>([
    ['a payload without an envelope', () => ({ n: 1 }), { status: 401, reason: 'token_missing' }],
    ['a payload that is not an object', () => 'hello', { status: 401, reason: 'token_missing' }],
    ['an array holding a token', (i) => [`Bearer ${i.token()}`], { status: 401, reason: 'token_missing' }],
    [
      'an envelope with another scheme',
      () => ({ authorization: 'Basic dTpw', data: 1 }),
      { status: 401, reason: 'token_missing' },
    ],
    [
      'an authorization that is not a string',
      (i) => ({ authorization: [i.token()], data: 1 }),
      { status: 400, error: 'invalid_request', reason: 'bad_header' },
    ],
    [
      'an expired token',
      (i) => withAccessToken(i.token({ expiresInSeconds: -60 }), 1),
      { status: 401, error: 'invalid_token', reason: 'token_expired', message: 'token expired' },
    ],
    [
      'an id token',
      (i) => withAccessToken(i.token({ claims: { nonce: 'n', scope: undefined } }), 1),
      { status: 401, error: 'invalid_token', reason: 'token_type_not_accepted' },
    ],
    [
      "another API's token",
      (i) => withAccessToken(i.token({ claims: { aud: 'another-api' } }), 1),
      { status: 401, error: 'invalid_token', reason: 'audience_mismatch' },
    ],
  ])('refuses %s with an RPC error', async (_name, payload, expected) => {
    const answer = (await ask(client, 'whoami', payload(issuer))) as { rejected?: Record<string, unknown> };
    expect(answer.rejected).toMatchObject(expected);
    expect(typeof answer.rejected!.message).toBe('string');
  });

  it('refuses a handler whose scope the token lacks (403 scope_missing)', async () => {
    await expect(ask(client, 'write', withAccessToken(issuer.token(), null))).resolves.toEqual({
      rejected: {
        status: 403,
        error: 'insufficient_scope',
        error_description: 'token lacks a required scope',
        message: 'token lacks a required scope',
        reason: 'scope_missing',
        scope: 'todo:write',
      },
    });
    const writer = issuer.token({ claims: { scope: 'todo:write' } });
    await expect(ask(client, 'write', withAccessToken(writer, null))).resolves.toBe('written');
  });

  it('runs a @Public() handler without a token', async () => {
    await expect(ask(client, 'health', {})).resolves.toEqual({ status: 'ok', sub: null });
  });

  it('never sends the token back in a refusal', async () => {
    const token = issuer.token({ claims: { iss: 'https://elsewhere.example' } });
    const answer = (await ask(client, 'whoami', withAccessToken(token, 1))) as { rejected?: unknown };
    expect(answer.rejected).toMatchObject({ status: 401, reason: 'issuer_mismatch' });
    expect(JSON.stringify(answer)).not.toContain(token);
  });
});

/** The probe's handlers, guarded by the controller itself (for a microservice without the app's global enhancers). */
@Controller()
@UseGuards(ResourceServerGuard)
@UseFilters(BearerErrorFilter)
class GuardedRpcProbeController extends RpcProbeController {}

describe.each([
  ['with inheritAppConfig: the global guard and filter', RpcProbeController, true],
  ['without inheritAppConfig: @UseGuards() and @UseFilters() on the controller', GuardedRpcProbeController, false],
])('a hybrid app (HTTP and a TCP microservice) %s', (_name, controller, inheritAppConfig) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let client: ClientProxy;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
    const moduleRef = await Test.createTestingModule({
      imports: [ResourceServerModule.forRoot(optionsFor(issuer))],
      controllers: [controller],
    }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: ['error'] });
    const microservice = app.connectMicroservice<MicroserviceOptions>(TCP_PORT_0, { inheritAppConfig });
    await app.startAllMicroservices();
    await app.init();
    client = clientOf(microservice.unwrap<Server>());
  });
  afterAll(async () => {
    await client.close();
    await app.close();
    await issuer.close();
  });

  it('refuses a message without a token and runs one with a valid token', async () => {
    await expect(ask(client, 'whoami', { n: 1 })).resolves.toEqual({
      rejected: expect.objectContaining({ status: 401, reason: 'token_missing' }),
    });
    const token = issuer.token({ claims: { sub: 'hybrid' } });
    await expect(ask(client, 'whoami', withAccessToken(token, 2))).resolves.toEqual({ sub: 'hybrid', data: 2 });
    await expect(ask(client, 'health', {})).resolves.toEqual({ status: 'ok', sub: null });
  });
});
