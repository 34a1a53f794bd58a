import type { Provider } from '@nestjs/common';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import type { ReadinessCheck } from '../health/readiness-check.js';
import { RedisReadinessCheck } from '../health/redis-readiness.check.js';
import { ResourceServerHealthIndicator } from '../health/resource-server.health-indicator.js';
import { CachingTokenIntrospector } from '../introspection/caching-token-introspector.js';
import { IntrospectionCache } from '../introspection/introspection-cache.js';
import { RedisIntrospectionCache } from '../introspection/redis-introspection-cache.js';
import { TokenIntrospector } from '../introspection/token-introspector.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import type { TokenVerifier } from '../verification/token-verifier.js';
import { IssuerVerifiers } from './issuer-verifiers.js';
import { EXTENSION } from './resource-server.module-definition.js';
import { RESOLVED_OPTIONS } from './resource-server.tokens.js';

/**
 * The readiness indicator, wired from what the module uses: the key store of each issuer
 * (unless a custom verifier replaces JWT verification), the introspection client, and Redis
 * when one is configured (the introspection cache's own client when it is on that Redis).
 * @internal
 */
export const READINESS_PROVIDERS: Provider[] = [
  {
    provide: ResourceServerHealthIndicator,
    inject: [
      RESOLVED_OPTIONS,
      JwksKeyStore,
      TokenIntrospector,
      IntrospectionCache,
      EXTENSION.tokenVerifier,
      IssuerVerifiers,
    ],
    useFactory: (
      options: ResolvedOptions,
      keyStore: JwksKeyStore,
      introspector: TokenIntrospector | null,
      cache: IntrospectionCache | null,
      customVerifier: TokenVerifier | null,
      several: IssuerVerifiers | null,
    ) => {
      const jwt = options.strategy !== 'introspection' && !customVerifier;
      const checks: ReadinessCheck[] = [];
      if (options.redisUrl) {
        const shared = cache instanceof RedisIntrospectionCache && options.introspection?.redisUrl === options.redisUrl;
        checks.push(new RedisReadinessCheck(shared ? { client: cache } : { url: options.redisUrl }));
      }
      return new ResourceServerHealthIndicator({
        // several issuers: each one's own key store (a resolver's tenants, found per token, are not listed)
        issuers: !jwt
          ? []
          : several
            ? [...several.keyStores].map(([issuer, keys]) => ({ issuer, keys }))
            : [{ issuer: options.issuer, keys: keyStore }],
        introspection:
          !customVerifier && introspector instanceof CachingTokenIntrospector && options.strategy !== 'jwt'
            ? introspector
            : undefined,
        checks,
        clock: options.clock,
      });
    },
  },
];
