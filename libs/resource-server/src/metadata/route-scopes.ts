import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PublicRoute } from '../authorization/decorators/public.decorator.js';
import { requirementsOf } from '../authorization/route-requirements.js';
import { ProtectedResourceMetadataPolicy } from './protected-resource-metadata.js';

// Nest's PATH_METADATA: set by @Get(), @Post(), ... on a route handler
const ROUTE_PATH = 'path';

/**
 * Every scope a route of the app requires (`@RequireScope` on a non-public route or its
 * controller), read once from the controllers Nest knows, sorted: the metadata's
 * `scopes_supported` (RFC 9728 §2). Read at start-up when the metadata is served.
 */
@Injectable()
export class RouteScopes implements OnApplicationBootstrap {
  private scopes?: readonly string[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
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
    const scopes = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null | undefined;
      if (typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(ROUTE_PATH, handler) === undefined) continue;
        if (this.reflector.getAllAndOverride(PublicRoute, [handler, controller]) === true) continue;
        for (const requirement of [...requirementsOf(controller), ...requirementsOf(handler)]) {
          if (requirement.kind === 'scope') for (const scope of requirement.scopes) scopes.add(scope);
        }
      }
    }
    return [...scopes].sort();
  }
}
