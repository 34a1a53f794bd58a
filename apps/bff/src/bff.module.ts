import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { webcrypto } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ApiClient } from './api-client.js';
import { ApiController } from './api.controller.js';
import { BffErrorFilter } from './bff-error.filter.js';
import { AuthController } from './auth.controller.js';
import type { BffConfig } from './bff-config.js';
import { API_CLIENT, BFF_CONFIG, CLOCK, OIDC_CLIENT, SESSION_STORE } from './bff.tokens.js';
import { HealthController } from './health.controller.js';
import { OidcClient } from '../../shared/src/oidc-client.js';
import { PageController } from './page.controller.js';
import { RefreshCoordinator } from './refresh-coordinator.js';
import { sessionStoreHealth } from './session-store.js';

/** The backend-for-frontend: login, a server-side session, and API calls on the user's behalf. */
@Module({})
export class BffModule {
  /**
   * @param dpop the WebCrypto pair of `config.dpopKey` and its thumbprint (undefined: bearer tokens).
   */
  static forRoot(
    config: BffConfig,
    redis?: Redis,
    clock: () => number = Date.now,
    dpop?: { readonly keyPair: webcrypto.CryptoKeyPair; readonly jkt: string },
  ): DynamicModule {
    const oidc = new OidcClient({
      issuer: config.issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      redirectUri: `${config.origin}/callback`,
      postLogoutRedirectUri: `${config.origin}/`,
      scopes: config.scopes,
      dpopKeyPair: dpop?.keyPair,
    });
    return {
      module: BffModule,
      controllers: [PageController, HealthController, AuthController, ApiController],
      providers: [
        { provide: BFF_CONFIG, useValue: config },
        { provide: OIDC_CLIENT, useValue: oidc },
        { provide: CLOCK, useValue: clock },
        { provide: API_CLIENT, useValue: new ApiClient(oidc, new RefreshCoordinator(redis), dpop?.jkt, clock) },
        { provide: SESSION_STORE, useValue: sessionStoreHealth(redis) },
        { provide: APP_FILTER, useValue: new BffErrorFilter(sessionStoreHealth(redis)) },
      ],
    };
  }
}
