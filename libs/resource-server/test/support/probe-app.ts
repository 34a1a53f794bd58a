import {
  Controller,
  Delete,
  Get,
  UseGuards,
  type DynamicModule,
  type INestApplication,
  type Provider,
  type Type,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  AccessToken,
  Claim,
  Claims,
  Public,
  RequireAudience,
  RequireClaim,
  RequireRole,
  RequireScope,
  ResourceServerGuard,
  ResourceServerModule,
  type AccessTokenClaims,
  type ResourceServerOptions,
} from 'nest-resource-server';

/** Routes that exercise every decorator, for the library's e2e specs. */
@Controller()
export class ProbeController {
  @Public()
  @Get('public')
  open(@Claims() claims: AccessTokenClaims | undefined): { claims: AccessTokenClaims | null } {
    return { claims: claims ?? null };
  }

  @Get('claims')
  claims(@Claims() claims: AccessTokenClaims, @Claim('sub') sub: string, @AccessToken() token: string) {
    return { claims, sub, tokenLength: token.length };
  }

  @RequireScope('a:read', 'a:write')
  @Get('two-scopes')
  twoScopes(): string {
    return 'ok';
  }

  @RequireClaim('email_verified', true)
  @RequireClaim('tenant', (value) => value === 'acme')
  @Get('two-claims')
  twoClaims(): string {
    return 'ok';
  }

  @RequireRole('editor', 'owner')
  @Get('any-role')
  anyRole(): string {
    return 'ok';
  }
}

/** Class-level rules combined with method-level ones. */
@RequireAudience('api-b')
@RequireScope('b:read')
@Controller('b')
export class AudienceBController {
  @Get()
  read(): string {
    return 'b';
  }

  @RequireScope('b:write')
  @Delete()
  write(): string {
    return 'deleted';
  }

  @Public()
  @Get('open')
  open(): string {
    return 'open';
  }
}

/** Guarded by `@UseGuards` when the module is imported with `global: false`. */
@UseGuards(ResourceServerGuard)
@Controller('guarded')
export class GuardedController {
  @Get()
  guarded(): string {
    return 'guarded';
  }
}

/** No guard of its own: open when the module is not global. */
@Controller('unguarded')
export class UnguardedController {
  @Get()
  unguarded(): string {
    return 'unguarded';
  }
}

/** The HTTP platforms the library supports; what must hold on both runs on each. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** How `createProbeApp()` builds the app beyond the module's options. */
export interface ProbeAppSetup {
  /** Default: `express`. */
  readonly platform?: Platform;
  /** The module's `global` extra (default true: the guard protects every route). */
  readonly global?: boolean;
  /** A module to import instead of `ResourceServerModule.forRoot(options)` (e.g. `forRootAsync`). */
  readonly module?: DynamicModule;
  /** Controllers and providers of the spec's own, beside the probe controllers. */
  readonly controllers?: readonly Type[];
  readonly providers?: readonly Provider[];
}

/**
 * A Nest app on `platform` with the module and the probe controllers, initialized and ready
 * for supertest (`app.getHttpServer()`), but not listening.
 */
export async function createProbeApp(
  options: ResourceServerOptions,
  setup: ProbeAppSetup = {},
): Promise<INestApplication> {
  const { platform = 'express', global, module, controllers = [], providers = [] } = setup;
  const moduleRef = await Test.createTestingModule({
    imports: [module ?? ResourceServerModule.forRoot({ ...options, ...(global === undefined ? {} : { global }) })],
    controllers: [ProbeController, AudienceBController, GuardedController, UnguardedController, ...controllers],
    providers: [...providers],
  }).compile();
  if (platform === 'express') {
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: ['error'] });
  await app.init();
  await app.getHttpAdapter().getInstance().ready(); // supertest calls the server Fastify has not readied yet
  return app;
}
