// ── Module and options ─────────────────────────────────────────────────────────────
export { ResourceServerModule } from './module/resource-server.module.js';
export type { Extension, ResourceServerModuleExtras } from './module/resource-server.module-definition.js';
export { RESOURCE_SERVER_OPTIONS } from './module/resource-server.module-definition.js';
export { RESOLVED_OPTIONS } from './module/resource-server.tokens.js';
export type {
  IntrospectionOptions,
  JwsAlgorithm,
  ResolvedIntrospectionOptions,
  ResolvedOptions,
  ResourceServerOptions,
  TokenStrategyName,
  VerifiedTokenCacheOptions,
} from './config/resource-server-options.js';
export { SUPPORTED_ALGORITHMS } from './config/resource-server-options.js';
export { resolveOptions } from './config/resolve-options.js';
export { ENV_VARIABLES, optionsFromEnv } from './config/options-from-env.js';
export { ResourceServerConfigError } from './config/resource-server-config.error.js';
export type { IssuerResolver, IssuerSettings, ResolvedIssuer } from './config/issuer-settings.js';
export type { ClaimPath, ClaimRule, ProviderPreset, ScopeClaim } from './config/presets/provider-preset.js';
export { EACH_AUDIENCE } from './config/presets/provider-preset.js';
export type { ProviderName } from './config/presets/provider-presets.js';
export { PROVIDER_PRESETS } from './config/presets/provider-presets.js';

// ── Guard and decorators ───────────────────────────────────────────────────────────
export { ResourceServerGuard } from './authorization/resource-server.guard.js';
export { Public } from './authorization/decorators/public.decorator.js';
export { RequireScope } from './authorization/decorators/require-scope.decorator.js';
export { RequireRole } from './authorization/decorators/require-role.decorator.js';
export { RequireAudience } from './authorization/decorators/require-audience.decorator.js';
export { RequireClaim } from './authorization/decorators/require-claim.decorator.js';
export { RequireAuthentication } from './authorization/decorators/require-authentication.decorator.js';
export type { AuthenticationRequirement } from './authorization/step-up.js';
export { AccessToken, Claim, Claims } from './authorization/decorators/claims.decorator.js';
export { RESOURCE_SERVER_STRATEGY } from './passport/strategy-name.js';

// ── Claim types and helpers ────────────────────────────────────────────────────────
export type { AccessTokenClaims, VerifiedToken } from './claims/access-token-claims.js';
export type { ClaimExpectation } from './authorization/claim-checks.js';
export { claimAt, rolesOf, scopesOf } from './authorization/claim-checks.js';

// ── Errors ─────────────────────────────────────────────────────────────────────────
export {
  BearerTokenError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from './errors/bearer-token.errors.js';
export type { BearerErrorCode } from './errors/bearer-token.errors.js';
export type { RejectionReason } from './errors/rejection-reason.js';
export { AuthorizationServerUnavailableError } from './errors/authorization-server-unavailable.error.js';
export { CrossSiteRequestError } from './errors/cross-site-request.error.js';
export { InsufficientUserAuthenticationError } from './errors/insufficient-user-authentication.error.js';
export { BearerErrorFilter } from './errors/bearer-error.filter.js';
export { formatWwwAuthenticate } from './errors/www-authenticate.js';

// ── Extension points ───────────────────────────────────────────────────────────────
export { BearerTokenResolver } from './extraction/bearer-token-resolver.js';
export type { ResolvedToken, TokenSource } from './extraction/bearer-token-resolver.js';
export { HeaderOrCookieTokenResolver } from './extraction/header-or-cookie-token-resolver.js';
export { TokenVerifier } from './verification/token-verifier.js';
export type { VerificationContext } from './verification/token-verifier.js';
export { TokenIntrospector } from './introspection/token-introspector.js';
export type { IntrospectionResponse } from './introspection/token-introspector.js';
export { IntrospectionCache } from './introspection/introspection-cache.js';
export { JwksKeyStore } from './jwt/jwks-key-store.js';
export { VerificationListener } from './telemetry/verification-event.js';
export type { VerificationEvent } from './telemetry/verification-event.js';
export { METER_NAME } from './telemetry/resource-server-metrics.js';
// ── GraphQL (@nestjs/graphql, Apollo or Mercurius) and graphql-ws subscriptions ──────
export { GRAPHQL_WS_CLOSE_CODES, graphqlWsAuthentication } from './transports/graphql-ws-authentication.js';
export type {
  ConnectionGuard,
  GraphqlWsAuthentication,
  GraphqlWsContext,
} from './transports/graphql-ws-authentication.js';
export { GraphqlRejectionError } from './transports/graphql-rejection.writer.js';
export type { GraphqlRejectionCode, GraphqlRejectionExtensions } from './transports/graphql-rejection.writer.js';

// ── RFC 9728 protected resource metadata ───────────────────────────────────────────
export { PROTECTED_RESOURCE_METADATA_PATH } from './metadata/protected-resource-metadata.js';
export type { ProtectedResourceMetadata } from './metadata/protected-resource-metadata.js';

// ── Readiness (for @nestjs/terminus) ──────────────────────────────────────────────
export { ResourceServerHealthIndicator } from './health/resource-server.health-indicator.js';
export type {
  IntrospectionReachability,
  IssuerKeySet,
  ReadinessSources,
} from './health/resource-server.health-indicator.js';
export type {
  HealthIndicatorResult,
  HealthIndicatorStatus,
  ReadinessCheck,
  ReadinessReport,
} from './health/readiness-check.js';
export { RedisReadinessCheck } from './health/redis-readiness.check.js';
export type { RedisReachability } from './health/redis-readiness.check.js';
export type { JwksKeyStoreStatus } from './jwt/jwks-key-store.js';
export type { IntrospectionCallStatus } from './introspection/caching-token-introspector.js';

// ── DPoP (RFC 9449) and sender-constrained tokens ──────────────────────────────────
export type { DpopMode, ResolvedDpopOptions } from './config/resource-server-options.js';
export { DPOP_ALGORITHMS } from './config/resource-server-options.js';
export { DpopNonceError, DpopProofError } from './errors/dpop.errors.js';

// ── WebSocket gateways and microservices (the adapters: `nest-resource-server/ws`, `/socket.io`) ──
export { TOKEN_REJECTED_CLOSE_CODE, claimsOfConnection, verifiedTokenOfConnection } from './transports/ws-transport.js';
export type { RejectionPayload } from './transports/rejection-payload.js';
export { withAccessToken } from './transports/rpc-transport.js';
export type { TokenEnvelope } from './transports/rpc-transport.js';
