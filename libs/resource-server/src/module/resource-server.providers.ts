import type { Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ResourceServerGuard, RouteRulesPolicy } from '../authorization/resource-server.guard.js';
import { resolveOptions } from '../config/resolve-options.js';
import type { ResolvedOptions, ResourceServerOptions } from '../config/resource-server-options.js';
import { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { BearerErrorFilter, BearerErrorPolicy } from '../errors/bearer-error.filter.js';
import { RejectionWriters } from '../errors/rejection.js';
import { REJECTION_WRITERS } from '../transports/rejection-writers.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { HeaderOrCookieTokenResolver } from '../extraction/header-or-cookie-token-resolver.js';
import { CachingTokenIntrospector } from '../introspection/caching-token-introspector.js';
import { IntrospectionCache } from '../introspection/introspection-cache.js';
import { IntrospectionTokenVerifier } from '../introspection/introspection-token.verifier.js';
import { MemoryIntrospectionCache } from '../introspection/memory-introspection-cache.js';
import { RedisIntrospectionCache } from '../introspection/redis-introspection-cache.js';
import { Rfc7662TokenIntrospector } from '../introspection/rfc7662-token-introspector.js';
import { TokenIntrospector } from '../introspection/token-introspector.js';
import { isJwsCompact } from '../jwt/jose-header.validator.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { ResourceServerPassportStrategy } from '../passport/resource-server.strategy.js';
import { ResourceServerMetrics } from '../telemetry/resource-server-metrics.js';
import { ResourceServerTelemetry } from '../telemetry/resource-server-telemetry.js';
import type { VerificationListener } from '../telemetry/verification-event.js';
import { TokenStrategyRouter } from '../verification/token-strategy-router.js';
import type { TokenVerifier } from '../verification/token-verifier.js';
import { ClientCertificatePolicy } from '../extraction/client-certificate.js';
import { ProtectedResourceMetadataPolicy, resourceMetadataUrl } from '../metadata/protected-resource-metadata.js';
import { RouteScopes } from '../metadata/route-scopes.js';
import { EXTENSION, RESOURCE_SERVER_OPTIONS } from './resource-server.module-definition.js';
import { DPOP_PROVIDERS, UNBOUND_TOKEN_VERIFIER } from './dpop.providers.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';
import { IssuerVerifiers, issuerVerifiersFor, jwtVerifierFor } from './issuer-verifiers.js';

/**
 * The module's providers, in the order of the request path: options, extraction,
 * verification (JWT, introspection, caches, the per-token router), authorization, errors.
 * Wiring only: each class gets the narrow policy it declares, never the whole options.
 * @internal
 */
export const RESOURCE_SERVER_PROVIDERS: Provider[] = [
  {
    provide: RESOLVED_OPTIONS,
    inject: [RESOURCE_SERVER_OPTIONS],
    useFactory: (options: ResourceServerOptions) => resolveOptions(options),
  },
  {
    provide: BearerTokenResolver,
    inject: [RESOLVED_OPTIONS, EXTENSION.tokenResolver],
    useFactory: (options: ResolvedOptions, custom: BearerTokenResolver | null) =>
      custom ?? new HeaderOrCookieTokenResolver(options.cookieName, options.dpop.mode !== 'off'),
  },
  {
    provide: AuthorizationServerMetadataSource,
    inject: [RESOLVED_OPTIONS],
    useFactory: (options: ResolvedOptions) =>
      new AuthorizationServerMetadataSource(options.issuer, options.httpTimeoutMs),
  },
  {
    provide: JwksKeyStore,
    inject: [RESOLVED_OPTIONS, AuthorizationServerMetadataSource, ResourceServerMetrics],
    useFactory: (
      options: ResolvedOptions,
      discovery: AuthorizationServerMetadataSource,
      metrics: ResourceServerMetrics,
    ) =>
      new JwksKeyStore({
        jwksUri: options.jwksUri,
        discovery,
        timeoutMs: options.httpTimeoutMs,
        maxFetchesPerMinute: options.jwksMaxFetchesPerMinute,
        refreshIntervalSeconds: options.jwksRefreshIntervalSeconds,
        clock: options.clock,
        onFetch: metrics.jwksFetched,
      }),
  },
  {
    provide: IssuerVerifiers,
    inject: [RESOLVED_OPTIONS, JwksKeyStore, EXTENSION.tokenVerifier, ResourceServerMetrics],
    useFactory: (
      options: ResolvedOptions,
      keyStore: JwksKeyStore,
      custom: TokenVerifier | null,
      metrics: ResourceServerMetrics,
    ) => (custom ? null : issuerVerifiersFor(options, keyStore, metrics)),
  },
  {
    provide: IntrospectionCache,
    inject: [RESOLVED_OPTIONS, EXTENSION.introspectionCache],
    useFactory: async (options: ResolvedOptions, custom: IntrospectionCache | null) => {
      const settings = options.introspection;
      if (!settings || settings.cacheTtlSeconds <= 0) return null;
      if (custom) return custom;
      return settings.redisUrl
        ? RedisIntrospectionCache.connect(settings.redisUrl)
        : new MemoryIntrospectionCache(settings.cacheMaxEntries, options.clock);
    },
  },
  {
    provide: TokenIntrospector,
    inject: [
      RESOLVED_OPTIONS,
      AuthorizationServerMetadataSource,
      IntrospectionCache,
      EXTENSION.tokenIntrospector,
      ResourceServerMetrics,
    ],
    useFactory: (
      options: ResolvedOptions,
      discovery: AuthorizationServerMetadataSource,
      cache: IntrospectionCache | null,
      custom: TokenIntrospector | null,
      metrics: ResourceServerMetrics,
    ) => {
      const settings = options.introspection;
      if (!settings && !custom) return null;
      const inner = custom ?? new Rfc7662TokenIntrospector(settings!, discovery, options.httpTimeoutMs);
      return new CachingTokenIntrospector(inner, cache ?? undefined, {
        cacheTtlSeconds: settings?.cacheTtlSeconds ?? 0,
        inactiveCacheTtlSeconds: settings?.inactiveCacheTtlSeconds ?? 0,
        clock: options.clock,
        onCall: metrics.introspectionCalled,
        onLookup: metrics.introspectionCacheLooked,
      });
    },
  },
  {
    // wrapped by the binding rule (dpop.providers.ts), which provides TokenVerifier
    provide: UNBOUND_TOKEN_VERIFIER,
    inject: [
      RESOLVED_OPTIONS,
      JwksKeyStore,
      TokenIntrospector,
      EXTENSION.tokenVerifier,
      IssuerVerifiers,
      ResourceServerMetrics,
    ],
    useFactory: (
      options: ResolvedOptions,
      keyStore: JwksKeyStore,
      introspector: TokenIntrospector | null,
      custom: TokenVerifier | null,
      issuers: IssuerVerifiers | null,
      metrics: ResourceServerMetrics,
    ): TokenVerifier => custom ?? verifierFor(options, keyStore, introspector, metrics, issuers?.router),
  },
  {
    provide: CrossSitePolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions): CrossSitePolicy => ({ trustedOrigins: o.trustedOrigins }),
  },
  ResourceServerPassportStrategy,
  {
    provide: RouteRulesPolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => ({
      rolesClaim: o.rolesClaim,
      clockToleranceSeconds: o.clockToleranceSeconds,
      clock: o.clock,
      claimSources: o.claimSources,
    }),
  },
  ResourceServerMetrics,
  {
    provide: ResourceServerTelemetry,
    inject: [ResourceServerMetrics, EXTENSION.verificationListener],
    useFactory: (metrics: ResourceServerMetrics, listener: VerificationListener | null) =>
      new ResourceServerTelemetry(metrics, listener),
  },
  ResourceServerGuard,
  {
    provide: BearerErrorPolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => ({
      realm: o.realm,
      resourceMetadata: o.resource === undefined ? undefined : resourceMetadataUrl(o.resource),
    }),
  },
  { provide: APP_FILTER, useClass: BearerErrorFilter },
  { provide: RejectionWriters, useValue: REJECTION_WRITERS },
  {
    provide: ClientCertificatePolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions): ClientCertificatePolicy => ({
      mtls: o.mtls,
      forwardedHeader: o.forwardedClientCertificateHeader,
    }),
  },
  {
    provide: ProtectedResourceMetadataPolicy,
    inject: [RESOLVED_OPTIONS],
    useFactory: (o: ResolvedOptions) => protectedResourceMetadataPolicy(o),
  },
  RouteScopes,
  ...DPOP_PROVIDERS,
];

/**
 * The metadata's facts (RFC 9728 §2): every configured issuer, the DPoP mode and
 * algorithms, mTLS.
 */
function protectedResourceMetadataPolicy(options: ResolvedOptions): ProtectedResourceMetadataPolicy {
  const issuers = options.issuers.map((issuer) => issuer.issuer);
  return {
    resource: options.resource,
    authorizationServers: issuers.length > 0 ? issuers : [options.issuer].filter((issuer) => issuer !== ''),
    dpop: options.dpop.mode,
    dpopAlgorithms: options.dpop.algorithms,
    mtls: options.mtls,
  };
}

/** The configured strategy as one verifier: JWT (with its optional cache), introspection, or both by token shape. */
function verifierFor(
  options: ResolvedOptions,
  keyStore: JwksKeyStore,
  introspector: TokenIntrospector | null,
  metrics: ResourceServerMetrics,
  issuers?: TokenVerifier,
): TokenVerifier {
  const introspection = introspector && new IntrospectionTokenVerifier(introspector, options);
  if (options.strategy === 'introspection') return introspection!;
  // several issuers: the token's `iss` picks that issuer's verifier (and its cache); one: the module's own
  const jwt = issuers ?? jwtVerifierFor(options, options, keyStore, metrics);
  return options.strategy === 'auto' ? new TokenStrategyRouter(isJwsCompact, jwt, introspection!) : jwt;
}
