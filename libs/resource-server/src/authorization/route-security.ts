import { Reflector } from '@nestjs/core';
import { PublicRoute } from './decorators/public.decorator.js';
import { ResourceServerGuard } from './resource-server.guard.js';
import { requirementsOf } from './route-requirements.js';

/** What the guard asks of one route, read from its decorators. */
export interface RouteSecurity {
  /** The controller class. */
  readonly controller: abstract new (...args: never[]) => unknown;
  /** The handler method (the function the route metadata sits on). */
  readonly handler: (...args: never[]) => unknown;
  /** False for `@Public()` routes and, without the global guard, routes without it. */
  readonly protected: boolean;
  /** Every scope `@RequireScope()` asks for (controller and handler). */
  readonly scopes: readonly string[];
  /** True when a role, claim or audience rule can refuse a valid token (403). */
  readonly hasOtherRules: boolean;
}

/** Injection token: true when the module registered the guard for every route (`global`). @internal */
export const GUARD_IS_GLOBAL = Symbol.for('nest-resource-server.guardIsGlobal');

const reflector = new Reflector();
// Nest's metadata keys (`@nestjs/common/constants`), stable since Nest 6; not imported by
// path, which differs between Nest 11 (CommonJS) and Nest 12 (exports map)
const METHOD_METADATA = 'method';
/** `@nestjs/common`'s `GUARDS_METADATA` (`@UseGuards()`), the same in Nest 11 and 12. @internal */
export const GUARDS_METADATA = '__guards__';

/**
 * The security of every route handler of these controllers, read from the same metadata
 * the guard reads (`@Public()`, `@RequireScope()`, …), so a document can never disagree
 * with what the guard does.
 */
export function routeSecurityOf(
  controllers: Iterable<abstract new (...args: never[]) => unknown>,
  guardIsGlobal: boolean,
): RouteSecurity[] {
  const routes: RouteSecurity[] = [];
  for (const controller of controllers) {
    for (const handler of methodsOf(controller.prototype as object)) {
      if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue; // not a route
      const requirements = [...requirementsOf(controller), ...requirementsOf(handler)];
      const isPublic = reflector.getAllAndOverride(PublicRoute, [handler, controller]) === true;
      const guarded = guardIsGlobal || usesGuard(controller) || usesGuard(handler);
      routes.push({
        controller,
        handler,
        protected: guarded && !isPublic,
        scopes: [...new Set(requirements.flatMap((r) => (r.kind === 'scope' ? r.scopes : [])))],
        hasOtherRules: requirements.some((r) => r.kind !== 'scope'),
      });
    }
  }
  return routes;
}

/** The methods of a prototype and of those it inherits from (a base controller's routes count). */
function methodsOf(prototype: object): Set<RouteSecurity['handler']> {
  const methods = new Set<RouteSecurity['handler']>();
  for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const value = Object.getOwnPropertyDescriptor(p, name)?.value as unknown;
      if (name !== 'constructor' && typeof value === 'function') methods.add(value as RouteSecurity['handler']);
    }
  }
  return methods;
}

/** Whether `@UseGuards()` on `target` (a class or a handler) names the module's guard. @internal */
export function usesGuard(target: object): boolean {
  const guards = (Reflect.getMetadata(GUARDS_METADATA, target) as unknown[] | undefined) ?? [];
  return guards.some((guard) => guard === ResourceServerGuard || guard instanceof ResourceServerGuard);
}
