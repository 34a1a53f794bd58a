import {
  Inject,
  Logger,
  Module,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ResourceServerGuard, RouteRulesPolicy } from '../authorization/resource-server.guard.js';
import { BearerErrorPolicy } from '../errors/bearer-error.filter.js';
import { RejectionWriters } from '../errors/rejection.js';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { IntrospectionCache } from '../introspection/introspection-cache.js';
import { TokenIntrospector } from '../introspection/token-introspector.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { ResourceServerTelemetry } from '../telemetry/resource-server-telemetry.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { ConfigurableModuleClass, EXTENSION } from './resource-server.module-definition.js';
import { RESOURCE_SERVER_PROVIDERS } from './resource-server.providers.js';
import { IssuerVerifiers } from './issuer-verifiers.js';
import { READINESS_PROVIDERS } from './readiness.providers.js';
import { ResourceServerHealthIndicator } from '../health/resource-server.health-indicator.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';

/**
 * Protects a Nest app's HTTP routes with OAuth 2.0 access tokens, on Express or Fastify.
 * @example
 * @Module({ imports: [ResourceServerModule.forRoot({ issuer: 'https://auth.example.com', audience: 'todo-api' })] })
 * export class AppModule {}
 */
@Module({
  imports: [DiscoveryModule], // the metadata's scopes_supported are read from the app's controllers
  providers: [...RESOURCE_SERVER_PROVIDERS, ...READINESS_PROVIDERS],
  // the guard and its policies too: `@UseGuards(ResourceServerGuard)` builds it in the controller's module
  exports: [
    RESOLVED_OPTIONS,
    BearerTokenResolver,
    TokenVerifier,
    TokenIntrospector,
    ResourceServerGuard,
    ResourceServerTelemetry,
    RouteRulesPolicy,
    CrossSitePolicy,
    BearerErrorPolicy,
    JwksKeyStore,
    IssuerVerifiers,
    ResourceServerHealthIndicator,
    // for `@UseFilters(BearerErrorFilter)` on a WebSocket gateway (Nest applies no global filter there)
    RejectionWriters,
  ],
})
export class ResourceServerModule
  extends ConfigurableModuleClass
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly keyStore: JwksKeyStore,
    @Optional() @Inject(TokenIntrospector) private readonly introspector: { close?(): Promise<void> } | null,
    @Optional() @Inject(IntrospectionCache) private readonly cache: IntrospectionCache | null,
    @Inject(EXTENSION.tokenVerifier) private readonly customVerifier: TokenVerifier | null,
  ) {
    super();
  }

  /** Fetches the keys in the background: a down authorization server never blocks start-up. */
  onApplicationBootstrap(): void {
    // a custom verifier replaces the JWT one: no keys to fetch for it
    if (this.options.strategy !== 'introspection' && !this.customVerifier && this.options.issuers.length > 0) {
      this.keyStore.warmUp(); // a resolver of issuers has no first issuer to warm up
    }
    if (this.options.hmacKey && this.options.hmacKey.symmetricKeySize! < 32) {
      new Logger('ResourceServer').warn('hmacSecret is shorter than 32 bytes (RFC 7518 §3.2 wants at least 256 bits)');
    }
  }

  /** Closes keep-alive connections and the Redis client. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.introspector?.close?.(), this.cache?.close?.()]);
  }
}
