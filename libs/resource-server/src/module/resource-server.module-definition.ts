import { ConfigurableModuleBuilder, type DynamicModule, type Type, type ValueProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ResourceServerGuard } from '../authorization/resource-server.guard.js';
import type { ResourceServerOptions } from '../config/resource-server-options.js';
import type { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import type { IntrospectionCache } from '../introspection/introspection-cache.js';
import type { TokenIntrospector } from '../introspection/token-introspector.js';
import type { VerificationListener } from '../telemetry/verification-event.js';
import type { TokenVerifier } from '../verification/token-verifier.js';
import { ProtectedResourceMetadataController } from '../metadata/protected-resource-metadata.controller.js';
import { GUARD_IS_GLOBAL } from '../authorization/route-security.js';

/** An extension: an instance, or a class Nest instantiates (and injects). */
export type Extension<T> = T | Type<T>;

/**
 * Options of `forRoot()` / `forRootAsync()` besides the {@link ResourceServerOptions}: how
 * the module is registered, and the extension points that replace one stage of the pipeline.
 */
export interface ResourceServerModuleExtras {
  /**
   * Register `ResourceServerGuard` for every route of the app (secure by default). With
   * `false`, apply it yourself: `@UseGuards(ResourceServerGuard)`. Default: true.
   */
  global: boolean;
  /** Finds the token on a request. Default: `HeaderOrCookieTokenResolver` (RFC 6750 §2.1 header, or the cookie). */
  tokenResolver?: Extension<BearerTokenResolver>;
  /** Verifies every token (replaces the JWT and introspection verifiers and their caches). */
  tokenVerifier?: Extension<TokenVerifier>;
  /** Answers for opaque tokens (replaces the RFC 7662 client; the claims it returns are still checked). */
  tokenIntrospector?: Extension<TokenIntrospector>;
  /** Keeps introspection results (replaces the memory or Redis cache; used when a cache TTL is set). */
  introspectionCache?: Extension<IntrospectionCache>;
  /** Told about every verification the guard makes, accepted or not (audit, custom metrics). */
  verificationListener?: Extension<VerificationListener>;
}

/** @internal */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RESOURCE_SERVER_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ResourceServerOptions>({ moduleName: 'ResourceServer' })
  .setClassMethodName('forRoot')
  .setExtras<ResourceServerModuleExtras>({ global: true }, (definition, extras) => ({
    ...definition,
    global: true, // the guard and its providers are reachable from every module
    providers: [...(definition.providers ?? []), ...extensionProviders(extras)],
    controllers: [...(definition.controllers ?? []), ...metadataControllers(definition)],
  }))
  .build();

const GLOBAL_GUARD = { provide: APP_GUARD, useExisting: ResourceServerGuard };

/**
 * The RFC 9728 metadata route: with `forRoot`, only when `resource` is set; with
 * `forRootAsync`, whose options exist only at start-up, always (it answers 404 while
 * `resource` is unset).
 */
function metadataControllers(definition: DynamicModule): Type[] {
  const given = (definition.providers ?? []).find(
    (p): p is ValueProvider<Partial<ResourceServerOptions> | undefined> =>
      typeof p === 'object' && p !== null && 'provide' in p && p.provide === RESOURCE_SERVER_OPTIONS && 'useValue' in p,
  );
  return given && given.useValue?.resource === undefined ? [] : [ProtectedResourceMetadataController];
}

/** Injection tokens of the extension points, filled by `extensionProviders()`. @internal */
export const EXTENSION = {
  tokenResolver: Symbol.for('nest-resource-server.extension.tokenResolver'),
  tokenVerifier: Symbol.for('nest-resource-server.extension.tokenVerifier'),
  tokenIntrospector: Symbol.for('nest-resource-server.extension.tokenIntrospector'),
  introspectionCache: Symbol.for('nest-resource-server.extension.introspectionCache'),
  verificationListener: Symbol.for('nest-resource-server.extension.verificationListener'),
} as const;

/** The global guard (when asked for) and one provider per extension point: the given one, or `null`. */
function extensionProviders(extras: Partial<ResourceServerModuleExtras>) {
  return [
    ...(extras.global === false ? [] : [GLOBAL_GUARD]),
    { provide: GUARD_IS_GLOBAL, useValue: extras.global !== false },
    ...(Object.keys(EXTENSION) as (keyof typeof EXTENSION)[]).map((name) => {
      const given: unknown = extras[name];
      if (given === undefined || given === null) return { provide: EXTENSION[name], useValue: null };
      return typeof given === 'function'
        ? { provide: EXTENSION[name], useClass: given as Type<unknown> }
        : { provide: EXTENSION[name], useValue: given };
    }),
  ];
}
