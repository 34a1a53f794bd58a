import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { ApiClient } from './api-client.js';
import { ApiController } from './api.controller.js';
import { AuthController } from './auth.controller.js';
import type { BffConfig } from './bff-config.js';
import { API_CLIENT, BFF_CONFIG, CLOCK, OIDC_CLIENT } from './bff.tokens.js';
import { OidcClient } from '../../shared/src/oidc-client.js';
import { OriginCheckGuard } from './origin-check.guard.js';
import { PageController } from './page.controller.js';
import { RefreshCoordinator } from './refresh-coordinator.js';

/** The backend-for-frontend: login, a server-side session, and API calls on the user's behalf. */
@Module({})
export class BffModule {
  static forRoot(config: BffConfig, redis?: Redis, clock: () => number = Date.now): DynamicModule {
    const oidc = new OidcClient({
      issuer: config.issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: `${config.origin}/callback`,
      postLogoutRedirectUri: `${config.origin}/`,
      scopes: config.scopes,
    });
    return {
      module: BffModule,
      controllers: [PageController, AuthController, ApiController],
      providers: [
        { provide: BFF_CONFIG, useValue: config },
        { provide: OIDC_CLIENT, useValue: oidc },
        { provide: CLOCK, useValue: clock },
        { provide: API_CLIENT, useValue: new ApiClient(oidc, new RefreshCoordinator(redis), clock) },
        { provide: APP_GUARD, useValue: new OriginCheckGuard(config.origin) },
      ],
    };
  }
}
