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

// ── Guard and decorators ───────────────────────────────────────────────────────────
export { ResourceServerGuard } from './authorization/resource-server.guard.js';
export { Public } from './authorization/decorators/public.decorator.js';
export { RequireScope } from './authorization/decorators/require-scope.decorator.js';
export { RequireRole } from './authorization/decorators/require-role.decorator.js';
export { RequireAudience } from './authorization/decorators/require-audience.decorator.js';
export { RequireClaim } from './authorization/decorators/require-claim.decorator.js';
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

// ── DPoP (RFC 9449) and sender-constrained tokens ──────────────────────────────────
export type { DpopMode, ResolvedDpopOptions } from './config/resource-server-options.js';
export { DPOP_ALGORITHMS } from './config/resource-server-options.js';
export { DpopNonceError, DpopProofError } from './errors/dpop.errors.js';
