import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { RegisteredClaimsPolicy } from '../claims/registered-claims.validator.js';
import type { ResolvedIssuer } from '../config/issuer-settings.js';
import { resolveIssuerSettings } from '../config/resolve-issuers.js';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { parseJoseHeader } from '../jwt/jose-header.validator.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import type { ResourceServerMetrics } from '../telemetry/resource-server-metrics.js';
import { PassportJwtVerifier } from '../passport/passport-jwt.verifier.js';
import { CachingTokenVerifier } from '../verification/caching-token-verifier.js';
import { IssuerRoutingVerifier } from '../verification/issuer-routing.verifier.js';
import { whenAnswered, type TokenVerifier } from '../verification/token-verifier.js';

/** Injection token of the {@link IssuerVerifiers}, or null with one issuer. @internal */
export const IssuerVerifiers = Symbol.for('nest-resource-server.IssuerVerifiers');

/**
 * Several issuers (a list, or a resolver): one JWT verifier per issuer, each with its own key
 * store (discovery, JWKS, fetch limit), behind the router that picks one by `iss`. Their keys
 * are fetched in the background at start-up, as the single issuer's are.
 * @internal
 */
export interface IssuerVerifiers extends OnApplicationBootstrap {
  readonly router: IssuerRoutingVerifier;
  /** Each static issuer's key store, by issuer. */
  readonly keyStores: ReadonlyMap<string, JwksKeyStore>;
}

/**
 * The verifiers of several issuers, or null when there is one (the module then verifies
 * with its single key store, as before: no routing on that path). `firstKeyStore` is the
 * module's `JwksKeyStore` provider, the first issuer's.
 * @internal
 */
export function issuerVerifiersFor(
  options: ResolvedOptions,
  firstKeyStore: JwksKeyStore,
  metrics?: ResourceServerMetrics,
): IssuerVerifiers | null {
  if (options.strategy === 'introspection') return null;
  const only = options.issuers.length === 1 ? options.issuers[0]! : undefined;
  // one issuer with the module's own audience and algorithms: the module's single verifier
  const plain = only && only.audiences === options.audiences && only.algorithms === options.algorithms;
  if (!options.issuerResolver && (options.issuers.length === 0 || plain)) return null;
  const keyStores = new Map<string, JwksKeyStore>();
  const verifiers = new Map<string, TokenVerifier>();
  options.issuers.forEach((issuer, index) => {
    const keyStore = index === 0 ? firstKeyStore : keyStoreFor(options, issuer, metrics);
    keyStores.set(issuer.issuer, keyStore);
    verifiers.set(issuer.issuer, jwtVerifierFor(options, issuer, keyStore, metrics));
  });
  const algorithms = [...new Set([...options.algorithms, ...options.issuers.flatMap((i) => i.algorithms)])];
  const header = {
    algorithms,
    hmacConfigured: options.hmacKey !== undefined,
    requireAccessTokenType: options.requireAccessTokenType,
  };
  const resolver = options.issuerResolver;
  // resolved issuers given the same jwksUri share its key store (Entra's multi-tenant apps:
  // one JWKS for every tenant), so a new tenant costs no fetch; bounded like the verifiers
  const sharedKeyStores = new LRUCache<string, JwksKeyStore>({ max: options.maxResolvedIssuers });
  const router = new IssuerRoutingVerifier({
    verifiers,
    checkHeader: (token) => void parseJoseHeader(token, header),
    resolve:
      resolver &&
      ((iss) =>
        whenAnswered(
          resolver(iss),
          (settings) => settings && dynamicVerifier(options, iss, settings, sharedKeyStores, metrics),
        )),
    maxResolved: options.maxResolvedIssuers,
  });
  return {
    router,
    keyStores,
    onApplicationBootstrap() {
      for (const [index, store] of [...keyStores.values()].entries()) if (index > 0) store.warmUp();
    },
  };
}

function dynamicVerifier(
  options: ResolvedOptions,
  iss: string,
  settings: Parameters<typeof resolveIssuerSettings>[1],
  sharedKeyStores: LRUCache<string, JwksKeyStore>,
  metrics?: ResourceServerMetrics,
): TokenVerifier {
  let issuer: ResolvedIssuer;
  try {
    issuer = resolveIssuerSettings(iss, settings, {
      audiences: options.audiences,
      algorithms: options.algorithms,
      hmacConfigured: options.hmacKey !== undefined,
    });
  } catch (error) {
    new Logger('ResourceServer').error(`${(error as Error).message}`);
    throw new AuthorizationServerUnavailableError(
      'issuer resolver answered invalid settings',
      'issuer_resolver_invalid',
      {
        cause: error,
      },
    );
  }
  let keyStore = issuer.jwksUri === undefined ? undefined : sharedKeyStores.get(issuer.jwksUri);
  if (!keyStore) {
    keyStore = keyStoreFor(options, issuer, metrics);
    if (issuer.jwksUri !== undefined) sharedKeyStores.set(issuer.jwksUri, keyStore);
  }
  return jwtVerifierFor(options, issuer, keyStore, metrics);
}

function keyStoreFor(options: ResolvedOptions, issuer: ResolvedIssuer, metrics?: ResourceServerMetrics): JwksKeyStore {
  return new JwksKeyStore({
    jwksUri: issuer.jwksUri,
    discovery: new AuthorizationServerMetadataSource(issuer.issuer, options.httpTimeoutMs),
    timeoutMs: options.httpTimeoutMs,
    maxFetchesPerMinute: options.jwksMaxFetchesPerMinute,
    refreshIntervalSeconds: options.jwksRefreshIntervalSeconds,
    clock: options.clock,
    onFetch: metrics?.jwksFetched,
  });
}

/**
 * One issuer's JWT verifier, with the optional cache of verified tokens (its own, per issuer):
 * the module's single verifier too, given the options' own issuer, audiences and algorithms.
 * @internal
 */
export function jwtVerifierFor(
  options: ResolvedOptions,
  issuer: Pick<ResolvedIssuer, 'issuer' | 'audiences' | 'algorithms'>,
  keyStore: JwksKeyStore,
  metrics?: ResourceServerMetrics,
): TokenVerifier {
  const claims: RegisteredClaimsPolicy = { ...options, issuer: issuer.issuer, audiences: issuer.audiences };
  const header = {
    algorithms: issuer.algorithms,
    hmacConfigured: options.hmacKey !== undefined,
    requireAccessTokenType: options.requireAccessTokenType,
  };
  const jwt = new PassportJwtVerifier({ header, claims, hmacKey: options.hmacKey }, keyStore);
  const cache = options.verifiedTokenCache;
  if (!cache) return jwt;
  const { clockToleranceSeconds, clock } = options;
  const onLookup = metrics?.verifiedCacheLooked;
  return new CachingTokenVerifier(jwt, keyStore, { ...cache, clockToleranceSeconds, clock, onLookup });
}
