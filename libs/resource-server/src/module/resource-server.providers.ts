import type { Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ResourceServerGuard } from '../authorization/resource-server.guard.js';
import { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { BearerErrorFilter } from '../errors/bearer-error.filter.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { HeaderOrCookieTokenResolver } from '../extraction/header-or-cookie-token-resolver.js';
import { CachingTokenIntrospector } from '../introspection/caching-token-introspector.js';
import { IntrospectionCache } from '../introspection/introspection-cache.js';
import { IntrospectionStrategy } from '../introspection/introspection.strategy.js';
import { MemoryIntrospectionCache } from '../introspection/memory-introspection-cache.js';
import { RedisIntrospectionCache } from '../introspection/redis-introspection-cache.js';
import { Rfc7662TokenIntrospector } from '../introspection/rfc7662-token-introspector.js';
import { TokenIntrospector } from '../introspection/token-introspector.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { JwtStrategy } from '../jwt/jwt.strategy.js';
import { CachingTokenVerifier } from '../verification/caching-token-verifier.js';
import { PassportTokenVerifier } from '../verification/passport-token-verifier.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { resolveOptions } from './resolve-options.js';
import type { ResolvedOptions, ResourceServerOptions } from './resource-server-options.js';
import { RESOURCE_SERVER_OPTIONS } from './resource-server.module-definition.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';

/** The module's providers: options first, then the request path (extraction, strategies, guard, errors). @internal */
export const RESOURCE_SERVER_PROVIDERS: Provider[] = [
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
    provide: BearerTokenResolver,
    inject: [RESOLVED_OPTIONS],
    useFactory: (options: ResolvedOptions) => new HeaderOrCookieTokenResolver(options.cookieName),
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
    provide: IntrospectionCache,
    inject: [RESOLVED_OPTIONS],
    useFactory: async (options: ResolvedOptions) => {
      const settings = options.introspection;
      if (!settings || settings.cacheTtlSeconds <= 0) return null;
      return settings.redisUrl
        ? RedisIntrospectionCache.connect(settings.redisUrl)
        : new MemoryIntrospectionCache(settings.cacheMaxEntries, options.clock);
    },
  },
  {
    provide: TokenIntrospector,
    inject: [RESOLVED_OPTIONS, AuthorizationServerMetadataSource, IntrospectionCache],
    useFactory: (
      options: ResolvedOptions,
      discovery: AuthorizationServerMetadataSource,
      cache: IntrospectionCache | null,
    ) => {
      const settings = options.introspection;
      if (!settings) return null;
      return new CachingTokenIntrospector(
        new Rfc7662TokenIntrospector(settings, discovery, options.httpTimeoutMs),
        cache ?? undefined,
        { ...settings, clock: options.clock },
      );
    },
  },
  {
    provide: IntrospectionStrategy,
    inject: [RESOLVED_OPTIONS, TokenIntrospector],
    useFactory: (options: ResolvedOptions, introspector: TokenIntrospector | null) =>
      introspector ? new IntrospectionStrategy(options, introspector) : null,
  },
  {
    provide: TokenVerifier,
    inject: [RESOLVED_OPTIONS, JwtStrategy, IntrospectionStrategy, JwksKeyStore],
    useFactory: (
      options: ResolvedOptions,
      jwt: JwtStrategy,
      introspection: IntrospectionStrategy | null,
      keyStore: JwksKeyStore,
    ) => {
      const verifier = new PassportTokenVerifier(options.strategy, { jwt, introspection: introspection ?? undefined });
      const cache = options.verifiedTokenCache;
      if (!cache) return verifier;
      const { clockToleranceSeconds, clock } = options;
      return new CachingTokenVerifier(verifier, keyStore, { ...cache, clockToleranceSeconds, clock });
    },
  },
  ResourceServerGuard,
  { provide: APP_FILTER, useClass: BearerErrorFilter },
];
