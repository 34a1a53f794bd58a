export { ResourceServerModule } from './module/resource-server.module.js';
export type { ResourceServerModuleExtras } from './module/resource-server.module-definition.js';
export { RESOURCE_SERVER_OPTIONS } from './module/resource-server.module-definition.js';
export { RESOLVED_OPTIONS } from './module/resource-server.tokens.js';
export type {
  IntrospectionOptions,
  JwsAlgorithm,
  ResolvedIntrospectionOptions,
  ResolvedOptions,
  ResourceServerOptions,
  TokenStrategyName,
} from './module/resource-server-options.js';
export { SUPPORTED_ALGORITHMS } from './module/resource-server-options.js';
export { resolveOptions } from './module/resolve-options.js';
export { ENV_VARIABLES, optionsFromEnv } from './module/options-from-env.js';
export { ResourceServerConfigError } from './module/resource-server-config.error.js';

export { BearerTokenResolver } from './extraction/bearer-token-resolver.js';
export type { ResolvedToken, TokenSource } from './extraction/bearer-token-resolver.js';
export { HeaderOrCookieTokenResolver } from './extraction/header-or-cookie-token-resolver.js';

export { JWT_STRATEGY, JwtStrategy } from './jwt/jwt.strategy.js';
export { JwksKeyStore } from './jwt/jwks-key-store.js';
export { TokenVerifier } from './verification/token-verifier.js';

export type { AccessTokenClaims, VerifiedToken } from './claims/access-token-claims.js';
export { validateRegisteredClaims } from './claims/registered-claims.validator.js';

export { ResourceServerGuard } from './authorization/resource-server.guard.js';
export type { ClaimExpectation, RouteRequirement } from './authorization/claim-checks.js';
export { claimAt, rolesOf, scopesOf } from './authorization/claim-checks.js';
export { Public } from './authorization/decorators/public.decorator.js';
export { RequireScope } from './authorization/decorators/require-scope.decorator.js';
export { RequireRole } from './authorization/decorators/require-role.decorator.js';
export { RequireAudience } from './authorization/decorators/require-audience.decorator.js';
export { RequireClaim } from './authorization/decorators/require-claim.decorator.js';
export { AccessToken, Claim, Claims } from './authorization/decorators/claims.decorator.js';

export {
  BearerTokenError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from './errors/bearer-token.errors.js';
export type { BearerErrorCode } from './errors/bearer-token.errors.js';
export { AuthorizationServerUnavailableError } from './errors/authorization-server-unavailable.error.js';
export { BearerErrorFilter } from './errors/bearer-error.filter.js';
export { formatWwwAuthenticate } from './errors/www-authenticate.js';
