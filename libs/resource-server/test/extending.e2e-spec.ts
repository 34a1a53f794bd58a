import { afterEach, beforeAll, afterAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Req, UseGuards, type INestApplication } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { IncomingMessage } from 'node:http';
import passport from 'passport';
import request from 'supertest';
import {
  Claims,
  InvalidTokenError,
  ResourceServerModule,
  RESOURCE_SERVER_STRATEGY,
  type AccessTokenClaims,
  type BearerTokenResolver,
  type IntrospectionCache,
  type IntrospectionResponse,
  type ResolvedToken,
  type TokenIntrospector,
  type TokenVerifier,
  type VerificationContext,
  type VerifiedToken,
} from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

/** Reads the token from `X-Api-Token` instead of `Authorization`. */
class HeaderNamedResolver implements BearerTokenResolver {
  resolve(request: IncomingMessage): ResolvedToken | undefined {
    const value = request.headers['x-api-token'];
    return typeof value === 'string' && value !== '' ? { token: value, source: 'header' } : undefined;
  }
}

/** Accepts one service key; records what it was asked with. */
class ServiceKeyVerifier implements TokenVerifier {
  readonly contexts: VerificationContext[] = [];
  verify(token: string, context: VerificationContext): VerifiedToken {
    this.contexts.push(context);
    if (token !== 'service-key-1') throw new InvalidTokenError('unknown service key', 'signature_invalid');
    return { token, claims: { sub: 'billing-service', scope: 'a:read a:write' }, strategy: 'service-key' };
  }
}

/** An authorization server of the app's own, answering for two opaque tokens. */
class InMemoryIntrospector implements TokenIntrospector {
  calls = 0;
  constructor(private readonly now: () => number) {}
  introspect(token: string): Promise<IntrospectionResponse> {
    this.calls++;
    const exp = Math.floor(this.now() / 1000) + 300;
    if (token === 'opaque-alice') return Promise.resolve({ active: true, sub: 'alice', aud: 'api-a', exp });
    if (token === 'opaque-other-aud') return Promise.resolve({ active: true, sub: 'bob', aud: 'api-z', exp });
    return Promise.resolve({ active: false });
  }
}

/** A cache of the app's own (a Map), counting what it is asked. */
class MapCache implements IntrospectionCache {
  readonly entries = new Map<string, IntrospectionResponse>();
  gets = 0;
  get(key: string): IntrospectionResponse | undefined {
    this.gets++;
    return this.entries.get(key);
  }
  set(key: string, value: IntrospectionResponse): void {
    this.entries.set(key, value);
  }
}

/** An application's own Passport strategy, chained after ours. */
@Injectable()
class ApiKeyStrategy extends PassportStrategy(
  class extends passport.Strategy {
    constructor(private readonly check: (key: string | undefined, done: (e: unknown, u?: unknown) => void) => void) {
      super();
    }
    override authenticate(req: IncomingMessage): void {
      this.check(req.headers['x-api-key'] as string | undefined, (error, user) => {
        if (error) return this.error(error);
        if (!user) return this.fail('api key required', 401);
        this.success(user);
      });
    }
  },
  'api-key',
) {
  validate(key: string | undefined): AccessTokenClaims | false {
    return key === 'k-123' ? { sub: 'api-key-client' } : false;
  }
}

@Controller('chained')
@UseGuards(AuthGuard([RESOURCE_SERVER_STRATEGY, 'api-key']))
class ChainedController {
  @Get()
  whoami(@Req() req: { user: AccessTokenClaims }, @Claims() claims: AccessTokenClaims | undefined) {
    return { user: req.user.sub, claims: claims?.sub ?? null };
  }
}

/** The extension points, each plugged in through the module's options, on both platforms. */
describe.each(PLATFORMS)('extending the module (%s)', (platform) => {
  let issuer: TestIssuer;
  const apps: INestApplication[] = [];
  const start = async (...args: Parameters<typeof createProbeApp>) => {
    const app = await createProbeApp(args[0], { platform, ...args[1] });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api-a' });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => issuer.close());

  describe('tokenResolver', () => {
    it('finds the token where the custom resolver says, and only there', async () => {
      const app = await start(
        { issuer: issuer.url, audience: 'api-a' },
        {
          module: ResourceServerModule.forRoot({
            issuer: issuer.url,
            audience: 'api-a',
            tokenResolver: HeaderNamedResolver,
          }),
        },
      );
      const token = issuer.token({ claims: { sub: 'alice' } });
      await request(app.getHttpServer()).get('/claims').set('x-api-token', token).expect(200);
      const bearer = await request(app.getHttpServer()).get('/claims').set('authorization', `Bearer ${token}`);
      expect(bearer.status).toBe(401);
      expect(bearer.body).toMatchObject({ reason: 'token_missing' });
    });
  });

  describe('tokenVerifier', () => {
    it('verifies every token with the custom verifier, given plain request facts, and keeps the route rules', async () => {
      const verifier = new ServiceKeyVerifier();
      const app = await start(
        { issuer: issuer.url, audience: 'api-a' },
        { module: ResourceServerModule.forRoot({ issuer: issuer.url, audience: 'api-a', tokenVerifier: verifier }) },
      );
      const ok = await request(app.getHttpServer()).get('/two-scopes?x=1').set('authorization', 'Bearer service-key-1');
      expect(ok.status).toBe(200);
      expect(verifier.contexts).toEqual([{ source: 'header', method: 'GET', url: '/two-scopes?x=1' }]);
      const claims = await request(app.getHttpServer()).get('/claims').set('authorization', 'Bearer service-key-1');
      expect(claims.body).toMatchObject({ sub: 'billing-service' });
      const refused = await request(app.getHttpServer()).get('/claims').set('authorization', 'Bearer other-key');
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        statusCode: 401,
        error: 'invalid_token',
        error_description: 'unknown service key',
        reason: 'signature_invalid',
      });
      const roles = await request(app.getHttpServer()).get('/any-role').set('authorization', 'Bearer service-key-1');
      expect(roles.status).toBe(403);
      expect(roles.body).toMatchObject({ reason: 'role_missing' });
    });
  });

  describe('tokenIntrospector and introspectionCache', () => {
    it('asks the custom introspector, still checks the claims it returns, and keeps results in the custom cache', async () => {
      const introspector = new InMemoryIntrospector(Date.now);
      const cache = new MapCache();
      const options = {
        issuer: issuer.url,
        audience: 'api-a',
        strategy: 'introspection' as const,
        introspection: { clientId: 'unused', clientSecret: 'unused', cacheTtlSeconds: 60 },
        tokenIntrospector: introspector,
        introspectionCache: cache,
      };
      const app = await start(options, { module: ResourceServerModule.forRoot(options) });
      const get = (token: string) =>
        request(app.getHttpServer()).get('/claims').set('authorization', `Bearer ${token}`);
      expect((await get('opaque-alice')).body).toMatchObject({ sub: 'alice' });
      expect((await get('opaque-alice')).status).toBe(200);
      expect(introspector.calls).toBe(1);
      expect(cache.gets).toBe(2);
      expect(cache.entries.size).toBe(1);
      expect((await get('opaque-other-aud')).body).toMatchObject({ reason: 'audience_mismatch' });
      expect((await get('revoked')).body).toMatchObject({ reason: 'token_inactive' });
    });
  });

  describe(`Passport: AuthGuard([RESOURCE_SERVER_STRATEGY, 'api-key'])`, () => {
    const setup = () =>
      start(
        { issuer: issuer.url, audience: 'api-a' },
        { global: false, controllers: [ChainedController], providers: [ApiKeyStrategy] },
      );

    it('admits a valid bearer token through our strategy, with the claims on request.user and @Claims()', async () => {
      const app = await setup();
      const token = issuer.token({ claims: { sub: 'alice' } });
      const response = await request(app.getHttpServer()).get('/chained').set('authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ user: 'alice', claims: 'alice' });
    });

    it("falls through to the application's strategy when no bearer token is sent", async () => {
      const app = await setup();
      const response = await request(app.getHttpServer()).get('/chained').set('x-api-key', 'k-123');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ user: 'api-key-client', claims: null });
    });

    it('falls through on an invalid bearer token too, and answers 401 when no strategy admits the request', async () => {
      const app = await setup();
      const forged = issuer.token({ key: TestIssuer.foreignKey() });
      const withKey = await request(app.getHttpServer())
        .get('/chained')
        .set('authorization', `Bearer ${forged}`)
        .set('x-api-key', 'k-123');
      expect(withKey.body).toEqual({ user: 'api-key-client', claims: null });
      const neither = await request(app.getHttpServer()).get('/chained').set('authorization', `Bearer ${forged}`);
      expect(neither.status).toBe(401);
    });

    it('ends the chain with our 400 on a malformed request', async () => {
      const app = await setup();
      const response = await request(app.getHttpServer())
        .get('/chained')
        .set('authorization', 'Bearer a,b')
        .set('x-api-key', 'k-123');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_request', reason: 'bad_header' });
    });
  });
});
