import type { RouteRequirement } from './claim-checks.js';

/** @internal Metadata key of the requirements a class or handler carries. */
export const ROUTE_REQUIREMENTS = 'nest-resource-server:requirements';

/**
 * A class-or-method decorator that appends one requirement. Appending, not setting:
 * `Reflector.createDecorator` would let a second `@RequireClaim` on the same method
 * silently replace the first, dropping a security rule.
 * @internal
 */
export function addRequirement(requirement: RouteRequirement): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    const existing = (Reflect.getOwnMetadata(ROUTE_REQUIREMENTS, holder) as RouteRequirement[] | undefined) ?? [];
    Reflect.defineMetadata(ROUTE_REQUIREMENTS, [...existing, requirement], holder);
  };
}

/** @internal Requirements declared directly on a class or handler. */
export function requirementsOf(holder: object): readonly RouteRequirement[] {
  return (Reflect.getOwnMetadata(ROUTE_REQUIREMENTS, holder) as RouteRequirement[] | undefined) ?? [];
}

/** @internal Checks decorator arguments when the decorator is applied, not per request. */
export function nonEmptyStrings(decorator: string, values: readonly unknown[]): readonly string[] {
  if (values.length === 0 || values.some((v) => typeof v !== 'string' || v.trim() === '' || /\s/.test(v))) {
    throw new TypeError(`@${decorator}() expects one or more non-empty values without spaces`);
  }
  return values as string[];
}
