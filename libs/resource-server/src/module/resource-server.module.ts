import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ResourceServerGuard } from '../authorization/resource-server.guard.js';
import { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { BearerErrorFilter } from '../errors/bearer-error.filter.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { HeaderOrCookieTokenResolver } from '../extraction/header-or-cookie-token-resolver.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { JwtStrategy } from '../jwt/jwt.strategy.js';
import { PassportTokenVerifier } from '../verification/passport-token-verifier.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { resolveOptions } from './resolve-options.js';
import type { ResolvedOptions, ResourceServerOptions } from './resource-server-options.js';
import { ConfigurableModuleClass, RESOURCE_SERVER_OPTIONS } from './resource-server.module-definition.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';

/**
 * Protects a Nest app's HTTP routes with OAuth 2.0 access tokens.
 * @example
 * @Module({ imports: [ResourceServerModule.forRoot({ issuer: 'https://auth.example.com', audience: 'todo-api' })] })
 * export class AppModule {}
 */
@Module({
  providers: [
    {
      provide: RESOLVED_OPTIONS,
      inject: [RESOURCE_SERVER_OPTIONS],
      useFactory: (options: ResourceServerOptions) => resolveOptions(options),
    },
    {
      provide: AuthorizationServerMetadataSource,
      inject: [RESOLVED_OPTIONS],
      useFactory: (options: ResolvedOptions) =>
        new AuthorizationServerMetadataSource(options.issuer, options.httpTimeoutMs),
    },
    {
      provide: JwksKeyStore,
      inject: [RESOLVED_OPTIONS, AuthorizationServerMetadataSource],
      useFactory: (options: ResolvedOptions, discovery: AuthorizationServerMetadataSource) =>
        new JwksKeyStore({
          jwksUri: options.jwksUri,
          discovery,
          timeoutMs: options.httpTimeoutMs,
          maxFetchesPerMinute: options.jwksMaxFetchesPerMinute,
          refreshIntervalSeconds: options.jwksRefreshIntervalSeconds,
          clock: options.clock,
        }),
    },
    JwtStrategy,
    {
      provide: BearerTokenResolver,
      inject: [RESOLVED_OPTIONS],
      useFactory: (options: ResolvedOptions) => new HeaderOrCookieTokenResolver(options.cookieName),
    },
    {
      provide: TokenVerifier,
      inject: [RESOLVED_OPTIONS, JwtStrategy],
      useFactory: (options: ResolvedOptions, jwt: JwtStrategy) => new PassportTokenVerifier(options.strategy, { jwt }),
    },
    ResourceServerGuard,
    { provide: APP_FILTER, useClass: BearerErrorFilter },
  ],
  exports: [RESOLVED_OPTIONS, BearerTokenResolver, TokenVerifier, ResourceServerGuard, JwksKeyStore],
})
export class ResourceServerModule extends ConfigurableModuleClass implements OnApplicationBootstrap {
  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    private readonly keyStore: JwksKeyStore,
  ) {
    super();
  }

  /** Fetches the keys in the background: a down authorization server never blocks start-up. */
  onApplicationBootstrap(): void {
    if (this.options.strategy !== 'introspection') this.keyStore.warmUp();
    if (this.options.hmacKey && this.options.hmacKey.symmetricKeySize! < 32) {
      new Logger('ResourceServer').warn('hmacSecret is shorter than 32 bytes (RFC 7518 §3.2 wants at least 256 bits)');
    }
  }
}
