import type { CanActivate, ExecutionContext, INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ResourceServerGuard } from '../authorization/resource-server.guard.js';
import { GUARDS_METADATA, usesGuard } from '../authorization/route-security.js';

/** `@nestjs/websockets`' `GATEWAY_METADATA` (`@WebSocketGateway()`), the same in Nest 11 and 12. */
const GATEWAY_METADATA = 'websockets:is_gateway';

// the guard of the app whose adapter verified the connection (a gateway class may serve several apps)
const GUARD_OF_CONNECTION = Symbol('nest-resource-server.guardOfConnection');

/** Remembers on a connection the guard of the app that admitted it. @internal */
export function rememberGuard(client: object, guard: CanActivate): void {
  (client as { [GUARD_OF_CONNECTION]?: CanActivate })[GUARD_OF_CONNECTION] = guard;
}

/**
 * The guard put on gateways: it runs the guard of the app whose adapter admitted the
 * connection. A connection no adapter of the library admitted (another app in the process
 * serving the same gateway class with Nest's own adapter) is left to that app's own guards,
 * which then see no verified token.
 */
const CONNECTION_GUARD: CanActivate = {
  canActivate(context: ExecutionContext) {
    if (context.getType() !== 'ws') return true;
    const client = context.switchToWs().getClient<{ [GUARD_OF_CONNECTION]?: CanActivate } | undefined>();
    const guard = client?.[GUARD_OF_CONNECTION];
    return guard ? guard.canActivate(context) : true;
  },
};

/**
 * Puts the module's guard on every gateway of the app that does not name it already (on its
 * class or on each of its handlers). Nest 12 runs the global guard on gateways; Nest 11's
 * `@nestjs/websockets` runs no global guard there, so without this a gateway's
 * `@RequireScope()`, `@RequireRole()` and `@RequireClaim()` would go unchecked on Nest 11.
 * Called when an adapter is made (`app.useWebSocketAdapter(new …(app))`): Nest has built the
 * app's providers by then and connects the gateways later, when it reads this metadata. On
 * Nest 12 the guard then runs twice per message, the second time on the connection's token
 * already verified (its times and the rules checked again). Without the module nothing is
 * done here: the adapter's `create()` stops the app with its own message.
 * @returns the gateway classes the guard was added to.
 * @internal
 */
export function guardGateways(app: INestApplicationContext): readonly (abstract new (...args: never[]) => unknown)[] {
  let modules: ModulesContainer;
  try {
    app.get(ResourceServerGuard, { strict: false });
    modules = app.get(ModulesContainer, { strict: false });
  } catch {
    return [];
  }
  const added: (abstract new (...args: never[]) => unknown)[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.providers.values()) {
      const gateway = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null | undefined;
      if (typeof gateway !== 'function' || Reflect.getMetadata(GATEWAY_METADATA, gateway) !== true) continue;
      const guards = (Reflect.getMetadata(GUARDS_METADATA, gateway) as unknown[] | undefined) ?? [];
      if (guards.includes(CONNECTION_GUARD) || usesGuard(gateway) || handlersAllGuarded(gateway)) continue;
      // an object, not a class: Nest uses it as it is, with no provider to resolve in the gateway's module
      Reflect.defineMetadata(GUARDS_METADATA, [CONNECTION_GUARD, ...guards], gateway);
      added.push(gateway);
    }
  }
  return added;
}

/** True when every `@SubscribeMessage()` handler of `gateway` names the guard itself. */
function handlersAllGuarded(gateway: abstract new (...args: never[]) => unknown): boolean {
  const prototype = gateway.prototype as Record<string, unknown>;
  const handlers = Object.getOwnPropertyNames(prototype)
    .map((name) => Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown)
    .filter(
      (value): value is object => typeof value === 'function' && Reflect.getMetadata('message', value) !== undefined,
    );
  return handlers.length > 0 && handlers.every((handler) => usesGuard(handler));
}
