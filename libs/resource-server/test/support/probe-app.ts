import { Controller, Delete, Get, UseGuards, type DynamicModule, type INestApplication } from '@nestjs/common';
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
} from '../src/index.js';

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

/** A Nest app with the module and the probe controllers, initialized but not listening. */
export async function createProbeApp(
  options: ResourceServerOptions,
  extras: { global?: boolean } = {},
  moduleOverride?: DynamicModule,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [moduleOverride ?? ResourceServerModule.forRoot({ ...options, ...extras })],
    controllers: [ProbeController, AudienceBController, GuardedController, UnguardedController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return app;
}
