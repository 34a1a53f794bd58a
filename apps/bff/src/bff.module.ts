import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { webcrypto } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ApiClient } from './api-client.js';
import { ApiController } from './api.controller.js';
import { BffErrorFilter } from './bff-error.filter.js';
import { AuthController } from './auth.controller.js';
import type { BffConfig } from './bff-config.js';
import { API_CLIENT, BFF_CONFIG, CLOCK, LIVE_RELAY, OIDC_CLIENT, SESSION_STORE, SESSION_TOKENS } from './bff.tokens.js';
import { HealthController } from './health.controller.js';
import { LiveRelay } from './live-relay.js';
import { OidcClient } from '../../shared/src/oidc-client.js';
import { PageController } from './page.controller.js';
import { RefreshCoordinator } from './refresh-coordinator.js';
import { sessionStoreHealth } from './session-store.js';
import { SessionTokens } from './session-tokens.js';
import { UpstreamHandshake } from './upstream-handshake.js';

/**
 * The backend-for-frontend: login, a server-side session, and API calls on the user's behalf,
 * over HTTP and, relayed from todo-api's `/live`, over a WebSocket.
 */
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
    const oidc = OidcClient.forApp(config, config.origin, dpop?.keyPair);
    const tokens = new SessionTokens(oidc, new RefreshCoordinator(redis), dpop?.jkt, clock);
    const handshake = new UpstreamHandshake(config.issuer, config.clientId, dpop?.keyPair);
    return {
      module: BffModule,
      controllers: [PageController, HealthController, AuthController, ApiController],
      providers: [
        { provide: BFF_CONFIG, useValue: config },
        { provide: OIDC_CLIENT, useValue: oidc },
        { provide: CLOCK, useValue: clock },
        { provide: SESSION_TOKENS, useValue: tokens },
        { provide: API_CLIENT, useValue: new ApiClient(oidc, tokens) },
        // a class provider, so that Nest calls its shutdown hook
        { provide: LIVE_RELAY, useFactory: () => new LiveRelay(config, tokens, handshake) },
        { provide: SESSION_STORE, useValue: sessionStoreHealth(redis) },
        { provide: APP_FILTER, useValue: new BffErrorFilter(sessionStoreHealth(redis)) },
      ],
    };
  }
}
