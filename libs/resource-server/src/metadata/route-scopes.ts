import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { GUARD_IS_GLOBAL, routeSecurityOf } from '../authorization/route-security.js';
import { ProtectedResourceMetadataPolicy } from './protected-resource-metadata.js';

/**
 * Every scope a route of the app requires (`@RequireScope` on a route the guard protects, or
 * on its controller), read once from the controllers Nest knows, sorted: the metadata's
 * `scopes_supported` (RFC 9728 §2). Read from the same metadata as the guard and the OpenAPI
 * document, by `routeSecurityOf()`.
 */
@Injectable()
export class RouteScopes implements OnApplicationBootstrap {
  private scopes?: readonly string[];

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(GUARD_IS_GLOBAL) private readonly guardIsGlobal: boolean,
    @Inject(ProtectedResourceMetadataPolicy) private readonly policy: ProtectedResourceMetadataPolicy,
  ) {}

  onApplicationBootstrap(): void {
    if (this.policy.resource !== undefined) this.all();
  }

  /** The scopes; read on the first call, when every module has been loaded. */
  all(): readonly string[] {
    return (this.scopes ??= this.collect());
  }

  private collect(): readonly string[] {
    const controllers = this.discovery
      .getControllers()
      .map((wrapper) => wrapper.metatype)
      .filter((type): type is new (...args: never[]) => unknown => typeof type === 'function');
    const routes = routeSecurityOf(controllers, this.guardIsGlobal).filter((route) => route.protected);
    return [...new Set(routes.flatMap((route) => route.scopes))].sort();
  }
}
