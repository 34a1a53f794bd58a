import type { KeyObject } from 'node:crypto';
import type { IssuerResolver, IssuerSettings, ResolvedIssuer } from './issuer-settings.js';
import type { ClaimPath, ClaimRule, ProviderPreset, ScopeClaim } from './presets/provider-preset.js';
import type { ProviderName } from './presets/provider-presets.js';

/** How tokens are validated: locally (`jwt`), at the authorization server (`introspection`), or by shape (`auto`). */
export type TokenStrategyName = 'jwt' | 'introspection' | 'auto';

/** The asymmetric JWS algorithms: what the JWT strategy verifies with a JWKS key, and all a DPoP proof may use. */
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** JWS algorithms the JWT strategy can verify (jsonwebtoken has no EdDSA). */
export const SUPPORTED_ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, 'HS256', 'HS384', 'HS512'] as const;

/** One of {@link SUPPORTED_ALGORITHMS}. */
export type JwsAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** RFC 7662 client settings, for the `introspection` and `auto` strategies. */
export interface IntrospectionOptions {
  /** The introspection endpoint. Default: `introspection_endpoint` from discovery. */
  endpoint?: string;
  /** The API's own client id at the authorization server. */
  clientId: string;
  /** The API's own client secret. */
  clientSecret: string;
  /** How the credentials are sent (RFC 6749 §2.3.1). Default: `client_secret_basic`. */
  clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Seconds a result may be reused, never past the token's `exp`; `0` turns the cache off. Default: 0. */
  cacheTtlSeconds?: number;
  /** Most results kept by the in-memory cache. Default: 10 000. */
  cacheMaxEntries?: number;
  /** Seconds an inactive result may be reused (when the cache is on). Default: 5. */
  inactiveCacheTtlSeconds?: number;
  /** Redis URL for a cache shared by replicas. Default: none (in memory). */
  redisUrl?: string;
}

/** Settings of the optional cache of verified JWTs. */
export interface VerifiedTokenCacheOptions {
  /** Seconds a verification may be reused, never past the token's `exp`; `0` turns the cache off. */
  ttlSeconds: number;
  /** Most verifications kept (an LRU bounds the memory). Default: 10 000. */
  maxEntries?: number;
}

/** What an application passes to `ResourceServerModule.forRoot()`. */
export interface ResourceServerOptions {
  /**
   * Expected `iss`, compared exactly; also the base of OpenID discovery. Several issuers: a
   * list (URLs, or {@link IssuerSettings} where audience, algorithms or JWKS differ), whose
   * token's `iss` picks the issuer; or an {@link IssuerResolver} for dynamic tenants.
   */
  issuer: string | readonly (string | IssuerSettings)[] | IssuerResolver;
  /**
   * With a resolver of issuers: most resolved issuers whose verifiers (and keys) are kept, the
   * least recently used dropped first and resolved again on their next token. Bounds what
   * tokens naming ever new issuers can make the process hold. Default: 1000.
   */
  maxResolvedIssuers?: number;
  /** Accepted `aud` values; a token must carry at least one. */
  audience: string | readonly string[];
  /** The JWKS endpoint. Default: `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** Which strategy validates tokens. Default: `jwt`. */
  strategy?: TokenStrategyName;
  /** Accepted JWS algorithms. Default: `['RS256', 'PS256', 'ES256']`. HS* need {@link hmacSecret}. */
  algorithms?: readonly string[];
  /** Shared secret for HS* tokens (FusionAuth's default key type). Default: none, HS* refused. */
  hmacSecret?: string;
  /** Skew allowed on `exp`, `nbf` and `iat`, in seconds. Default: 30. */
  clockToleranceSeconds?: number;
  /** Cookie that may carry the access token; `false` reads only the header. Default: `app.at`. */
  cookieName?: string | false;
  /** `realm` of the `WWW-Authenticate` challenge. Default: the first audience. */
  realm?: string;
  /**
   * Origins (`https://app.example.com`) whose pages may send state-changing requests (not
   * `GET`, `HEAD`, `OPTIONS`) authenticated by the token cookie; any other, or none, is
   * refused 403 `csrf_rejected` before the token is looked at. Header tokens are exempt.
   * Default: none.
   */
  trustedOrigins?: readonly string[];
  /** Require RFC 9068 access tokens: `typ` must be `at+jwt`. Default: false (`typ` optional). */
  requireAccessTokenType?: boolean;
  /** Claim holding the caller's roles, for `@RequireRole()`. Default: `roles` (FusionAuth). */
  rolesClaim?: string;
  /** Time limit for each call to the authorization server, in milliseconds. Default: 5000. */
  httpTimeoutMs?: number;
  /** Most JWKS fetch attempts (failures included) in any 60 s. Default: 10. */
  jwksMaxFetchesPerMinute?: number;
  /** Seconds after which the cached JWKS is refreshed in the background, so dropped keys stop working. Default: 600. */
  jwksRefreshIntervalSeconds?: number;
  /** RFC 7662 settings; required by the `introspection` and `auto` strategies. */
  introspection?: IntrospectionOptions;
  /**
   * Reuse a JWT's verification for later requests carrying the same token (keyed by its
   * SHA-256): the signature is not checked again, `exp` and `nbf` are, and so are the
   * route's rules. An entry made before the key store refetched a JWKS that dropped or
   * replaced a key is verified again (README, Performance). Default: off.
   */
  verifiedTokenCache?: VerifiedTokenCacheOptions;
  /** The clock, in milliseconds since the epoch. For tests. Default: `Date.now`. */
  clock?: () => number;
  /**
   * This API's resource identifier (RFC 9728), a URL without path, query or fragment such as
   * `https://todo.example.com`. When set, `GET /.well-known/oauth-protected-resource` answers
   * the protected resource metadata and every 401 challenge carries `resource_metadata`.
   * Default: none (no route, no parameter).
   */
  resource?: string;
  /**
   * Certificate-bound tokens (RFC 8705): a token with `cnf.x5t#S256` is accepted only over a
   * TLS connection whose client certificate has that SHA-256 thumbprint. The app must serve
   * HTTPS and ask for client certificates (`requestCert: true`). Default: false.
   */
  mtls?: boolean;
  /**
   * Header in which a trusted TLS-terminating proxy forwards the client certificate (URL-encoded
   * PEM, as nginx's `$ssl_client_escaped_cert`), used when the connection itself carries none.
   * Needs {@link mtls}. Only set it when every request comes through that proxy, which must
   * overwrite the header: a client could send it too. Default: none (never trusted).
   */
  forwardedClientCertificateHeader?: string;
  /** Where scopes and roles come from: a built-in preset's name, or a preset of your own. Default: `generic`. */
  provider?: ProviderName | ProviderPreset;
  /**
   * Redis shared by the replicas (`redis://` or `rediss://`): readiness reports it unreachable
   * whatever uses it. Default: `introspection.redisUrl`, else none.
   */
  redisUrl?: string;
  /**
   * DPoP (RFC 9449): `off` (the `DPoP` scheme counts as no token), `allowed` (DPoP-bound
   * tokens with their proof, and Bearer tokens without `cnf`), or `required` (the DPoP scheme
   * only). Default: `off`.
   */
  dpop?: DpopMode;
  /** Asymmetric JWS algorithms accepted for DPoP proofs. Default: `['ES256', 'RS256', 'PS256']`. */
  dpopAlgorithms?: readonly string[];
  /** Seconds a proof's `iat` may lie in the past (plus the clock tolerance). Default: 300. */
  dpopMaxAgeSeconds?: number;
  /** Demand a server nonce in every proof (RFC 9449 §8); 2xx answers carry the next one. Default: false. */
  dpopNonce?: boolean;
  /**
   * Scheme and host of the API as clients call it (`https://api.example.com`), to rebuild a
   * proof's `htu` behind a proxy. Default: `http` and the request's `Host` header.
   */
  publicUrl?: string;
  /**
   * Redis URL where the seen proof `jti`s and the nonce secret live, shared by replicas.
   * Default: `introspection.redisUrl`, else in memory (one process).
   */
  dpopRedisUrl?: string;
  /** Prefix of the DPoP keys in Redis. Default: `nest-resource-server:dpop:`. */
  dpopRedisKeyPrefix?: string;
}

/** How DPoP (RFC 9449) tokens are handled. */
export type DpopMode = 'off' | 'allowed' | 'required';

/** Algorithms a DPoP proof may use: asymmetric only (RFC 9449 §4.2). */
export const DPOP_ALGORITHMS = ASYMMETRIC_ALGORITHMS;

/** DPoP settings after validation. */
export interface ResolvedDpopOptions {
  readonly mode: DpopMode;
  readonly algorithms: readonly (typeof DPOP_ALGORITHMS)[number][];
  readonly maxAgeSeconds: number;
  readonly nonce: boolean;
  /** Origin used to rebuild `htu`; undefined: `http://` and the `Host` header. */
  readonly publicUrl?: string;
  readonly redisUrl?: string;
  readonly redisKeyPrefix: string;
}

/** Complete and normalized: the only options shape the other folders see. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly jwksUri?: string;
  readonly strategy: TokenStrategyName;
  readonly algorithms: readonly JwsAlgorithm[];
  readonly hmacKey?: KeyObject;
  readonly clockToleranceSeconds: number;
  readonly cookieName?: string;
  readonly realm: string;
  readonly trustedOrigins: ReadonlySet<string>;
  readonly requireAccessTokenType: boolean;
  readonly rolesClaim: string;
  readonly httpTimeoutMs: number;
  readonly jwksMaxFetchesPerMinute: number;
  readonly jwksRefreshIntervalSeconds: number;
  readonly introspection?: ResolvedIntrospectionOptions;
  /** Undefined: no cache of verified JWTs. */
  readonly verifiedTokenCache?: { readonly ttlSeconds: number; readonly maxEntries: number };
  readonly clock: () => number;
  /** RFC 9728 resource identifier; undefined: no metadata route. */
  readonly resource?: string;
  /** RFC 8705: certificate-bound tokens are checked against the connection's certificate. */
  readonly mtls: boolean;
  /** Lower-case header name a trusted proxy forwards the client certificate in. */
  readonly forwardedClientCertificateHeader?: string;
  /** Every configured issuer (the first is {@link issuer}); empty with a resolver. */
  readonly issuers: readonly ResolvedIssuer[];
  /** The resolver of dynamic tenants, when `issuer` is one. */
  readonly issuerResolver?: IssuerResolver;
  /** Most resolved issuers kept. */
  readonly maxResolvedIssuers: number;
  /** The preset's name. */
  readonly provider: string;
  /** Where scopes and roles come from; undefined: `scope`/`scp` and {@link rolesClaim}. */
  readonly claimSources?: {
    readonly scopes: readonly ScopeClaim[];
    readonly roles: readonly ClaimPath[];
  };
  /** The preset's rules on claims, checked with the registered claims. */
  readonly claimRules?: readonly ClaimRule[];
  /** Matched against the audiences when a token has no `aud` (cognito: `client_id`). */
  readonly audienceFallbackClaim?: string;
  /** The Redis replicas share, if any (`redisUrl`, else `introspection.redisUrl`). */
  readonly redisUrl?: string;
  /** DPoP (RFC 9449) settings; `mode` is `off` by default. */
  readonly dpop: ResolvedDpopOptions;
}

/** Introspection settings after validation. */
export interface ResolvedIntrospectionOptions {
  readonly endpoint?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuthMethod: 'client_secret_basic' | 'client_secret_post';
  readonly cacheTtlSeconds: number;
  readonly cacheMaxEntries: number;
  readonly inactiveCacheTtlSeconds: number;
  readonly redisUrl?: string;
}
