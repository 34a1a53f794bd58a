import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Module, type CanActivate, type DynamicModule, type ExecutionContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ResourceServerGuard, type ResourceServerOptions } from 'nest-resource-server';
import { DpopTestKey, TestIssuer } from 'nest-resource-server/testing';
import { HelloController } from './apps/hello.controller.js';
import { MinimalDpopGuard, MinimalDpopGuardAppModule } from './apps/minimal-dpop-guard.module.js';
import { MinimalGuardAppModule, MinimalJwtGuard } from './apps/minimal-guard.module.js';
import { DpopProofPool } from './dpop-proofs.js';
import { countAndClearKeys } from './redis-keys.js';
import { PublicHelloController, ResourceServerAppModule } from './apps/resource-server.module.js';

// The guard alone, in process: CPU per canActivate() with a fresh IncomingMessage each
// time, minus the cost of making that request, cases taken in turn round after round.
// Steadier than HTTP figures on a busy machine, so each hot-path change is judged here
// first (docs/benchmarks.md).   node dist/bench/guard-micro.js [iterations] [cases...]

const AUDIENCE = 'bench-api';
const ROUNDS = 15;
const iterations = Number(process.argv[2] ?? 5_000);
const only = process.argv.slice(3);
/** The URL of the requests made here: a DPoP proof's `htu`. */
const URL_SEEN = 'http://127.0.0.1/hello';

interface Case {
  readonly name: string;
  readonly module: (issuers: Issuers) => DynamicModule;
  readonly guard: Type<CanActivate>;
  readonly token: (issuers: Issuers) => string;
  readonly isPublic?: boolean;
  /** `Authorization: DPoP` and a proof of its own per call (signed ahead), for the token bound to `issuers.dpopKey`. */
  readonly dpop?: boolean;
}

interface Issuers {
  readonly rs256: TestIssuer;
  readonly es256: TestIssuer;
  readonly opaque: string;
  readonly dpopKey: DpopTestKey;
  /** An RS256 token bound to `dpopKey` (`cnf.jkt`). */
  readonly dpopToken: string;
  /** The Redis of the DPoP case with Redis, and a prefix of this run's own. */
  readonly redis: { readonly url: string; readonly keyPrefix: string };
}

const jwt = (issuer: TestIssuer, extra: Partial<ResourceServerOptions> = {}): ResourceServerOptions => ({
  issuer: issuer.url,
  jwksUri: issuer.jwksUri,
  audience: AUDIENCE,
  ...extra,
});

const CASES: readonly Case[] = [
  {
    name: 'public',
    module: (i) => ResourceServerAppModule.with(jwt(i.rs256), true),
    guard: ResourceServerGuard,
    token: (i) => i.rs256.token({ expiresInSeconds: 3600 }),
    isPublic: true,
  },
  {
    name: 'jwt-rs256',
    module: (i) => ResourceServerAppModule.with(jwt(i.rs256), false),
    guard: ResourceServerGuard,
    token: (i) => i.rs256.token({ expiresInSeconds: 3600 }),
  },
  {
    name: 'jwt-es256',
    module: (i) => ResourceServerAppModule.with(jwt(i.es256), false),
    guard: ResourceServerGuard,
    token: (i) => i.es256.token({ expiresInSeconds: 3600 }),
  },
  {
    // issue 15: the token's iss picks one of three issuers (the second listed)
    name: 'jwt-three-issuers',
    module: (i) =>
      ResourceServerAppModule.with(
        jwt(i.rs256, {
          jwksUri: undefined,
          issuer: [
            { issuer: i.es256.url, jwksUri: i.es256.jwksUri },
            { issuer: i.rs256.url, jwksUri: i.rs256.jwksUri },
            { issuer: 'https://third.example', jwksUri: i.rs256.jwksUri },
          ],
        }),
        false,
      ),
    guard: ResourceServerGuard,
    token: (i) => i.rs256.token({ expiresInSeconds: 3600 }),
  },
  {
    name: 'verified-cache',
    module: (i) =>
      ResourceServerAppModule.with(
        jwt(i.rs256, { verifiedTokenCache: { ttlSeconds: 60 } } as Partial<ResourceServerOptions>),
        false,
      ),
    guard: ResourceServerGuard,
    token: (i) => i.rs256.token({ expiresInSeconds: 3600 }),
  },
  {
    name: 'introspection-cached',
    module: (i) =>
      ResourceServerAppModule.with(
        {
          issuer: i.rs256.url,
          audience: AUDIENCE,
          strategy: 'introspection',
          introspection: {
            endpoint: i.rs256.introspectionEndpoint,
            clientId: 'bench-api',
            clientSecret: 'bench-secret',
            cacheTtlSeconds: 300,
          },
        },
        false,
      ),
    guard: ResourceServerGuard,
    token: (i) => i.opaque,
  },
  {
    name: 'dpop-memory',
    module: (i) => ResourceServerAppModule.with(jwt(i.rs256, { dpop: 'allowed' }), false),
    guard: ResourceServerGuard,
    token: (i) => i.dpopToken,
    dpop: true,
  },
  {
    name: 'dpop-redis',
    module: (i) =>
      ResourceServerAppModule.with(
        jwt(i.rs256, { dpop: 'allowed', dpopRedisUrl: i.redis.url, dpopRedisKeyPrefix: i.redis.keyPrefix }),
        false,
      ),
    guard: ResourceServerGuard,
    token: (i) => i.dpopToken,
    dpop: true,
  },
  {
    name: 'floor-dpop',
    module: (i) =>
      MinimalDpopGuardAppModule.with({ issuer: i.rs256.url, jwksUri: i.rs256.jwksUri, audience: AUDIENCE }),
    guard: MinimalDpopGuard,
    token: (i) => i.dpopToken,
    dpop: true,
  },
  {
    name: 'floor-rs256',
    module: (i) => MinimalGuardAppModule.with({ issuer: i.rs256.url, jwksUri: i.rs256.jwksUri, audience: AUDIENCE }),
    guard: MinimalJwtGuard,
    token: (i) => i.rs256.token({ expiresInSeconds: 3600 }),
  },
  {
    name: 'floor-es256',
    module: (i) => MinimalGuardAppModule.with({ issuer: i.es256.url, jwksUri: i.es256.jwksUri, audience: AUDIENCE }),
    guard: MinimalJwtGuard,
    token: (i) => i.es256.token({ expiresInSeconds: 3600 }),
  },
];

@Module({})
class HostModule {}

function contextFor(request: IncomingMessage, response: ServerResponse, handlerClass: Type): ExecutionContext {
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
  return {
    getType: () => 'http',
    getClass: () => handlerClass,
    getHandler: () => handlerClass.prototype.hello,
    getArgs: () => [request, response],
    getArgByIndex: (index: number) => [request, response][index],
    switchToHttp: () => http,
    switchToRpc: () => {
      throw new Error('http only');
    },
    switchToWs: () => {
      throw new Error('http only');
    },
  } as unknown as ExecutionContext;
}

function requestWith(token: string, socket: Socket, proof?: string): IncomingMessage {
  const request = new IncomingMessage(socket);
  request.method = 'GET';
  request.url = '/hello';
  const authorization = proof === undefined ? `Bearer ${token}` : `DPoP ${token}`;
  request.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization, ...(proof ? ['DPoP', proof] : [])];
  request.headers = { host: '127.0.0.1', authorization, ...(proof ? { dpop: proof } : {}) };
  return request;
}

/** A case ready to be called: one `canActivate()` with a fresh request. */
export interface PreparedCase {
  readonly name: string;
  call(): unknown;
}

/**
 * Starts the issuers and one app per case; the first call of each (JWKS fetch, introspection) is
 * made here. A DPoP case signs ahead a proof for each of its `calls`.
 */
export async function prepare(
  names: readonly string[] = [],
  calls = ROUNDS * iterations,
): Promise<{ cases: PreparedCase[]; close(): Promise<void> }> {
  const rs256 = await TestIssuer.start({ audience: AUDIENCE });
  const es256 = await TestIssuer.start({ audience: AUDIENCE, algorithm: 'ES256' });
  rs256.addIntrospectionClient('bench-api', 'bench-secret');
  const dpopKey = DpopTestKey.generate('ES256');
  const issuers: Issuers = {
    rs256,
    es256,
    opaque: rs256.opaqueToken({ expiresInSeconds: 3600 }),
    dpopKey,
    dpopToken: rs256.token({ expiresInSeconds: 3600, dpop: dpopKey }),
    redis: {
      url: process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379',
      keyPrefix: `nest-resource-server-bench:${randomBytes(6).toString('base64url')}:dpop:`,
    },
  };
  const socket = new Socket();
  const response = new ServerResponse(requestWith('x', socket));
  const apps: { close(): Promise<void> }[] = [];
  const cases: PreparedCase[] = [{ name: 'request only', call: () => requestWith('x', socket) }];
  for (const c of CASES.filter((c) => names.length === 0 || names.includes(c.name))) {
    const app = await NestFactory.createApplicationContext(
      { module: HostModule, imports: [c.module(issuers)] },
      { logger: ['error', 'warn'] },
    );
    await app.init();
    apps.push(app);
    const guard = app.get(c.guard);
    const controller = c.isPublic ? PublicHelloController : HelloController;
    const token = c.token(issuers);
    const proofs = c.dpop ? new DpopProofPool(dpopKey, token, URL_SEEN) : undefined;
    proofs?.fill(calls + 3);
    const call = () => guard.canActivate(contextFor(requestWith(token, socket, proofs?.take()), response, controller));
    // the first call fetches the JWKS (or introspects); a reused idle connection to the
    // issuer may have been reset meanwhile, so it gets three tries
    for (let attempt = 1; ; attempt++) {
      try {
        if ((await call()) !== true) throw new Error(`${c.name}: refused its token`);
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    cases.push({ name: c.name, call });
  }
  return {
    cases,
    close: async () => {
      for (const app of apps) await app.close();
      await rs256.close();
      await es256.close();
      // the Redis case's proofs would stay for their window: this run's prefix is cleared now
      if (cases.some((c) => c.name === 'dpop-redis'))
        await countAndClearKeys(issuers.redis.url, issuers.redis.keyPrefix);
    },
  };
}

/** Microseconds of CPU per call, over `iterations` calls. */
export async function cpuPerCall(call: () => unknown, iterations: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

/**
 * Rounds in turn over the cases (so that the machine's drift hits them alike); per case the
 * median CPU per call minus the request's own, and its min–max over the rounds.
 */
export async function interleaved(cases: readonly PreparedCase[], rounds: number, iterations: number) {
  const samples = new Map(cases.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) samples.get(c.name)!.push(await cpuPerCall(c.call, iterations));
  }
  const request = samples.get('request only')!;
  return cases
    .filter((c) => c.name !== 'request only')
    .map((c) => {
      const net = samples.get(c.name)!.map((value, i) => value - request[i]!);
      const sorted = [...net].sort((a, b) => a - b);
      return { name: c.name, median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
    });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = ROUNDS;
  const { cases, close } = await prepare(only);
  console.log(`guard-micro: ${rounds} interleaved rounds of ${iterations} calls; the request's own cost subtracted`);
  for (const result of await interleaved(cases, rounds, iterations)) {
    console.log(
      `${result.name.padEnd(22)} ${result.median.toFixed(2).padStart(7)} µs CPU per canActivate() ` +
        `(${result.min.toFixed(2)}–${result.max.toFixed(2)})`,
    );
  }
  await close();
}
