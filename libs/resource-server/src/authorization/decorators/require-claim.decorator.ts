import type { ClaimExpectation } from '../claim-checks.js';
import { addRequirement } from '../route-requirements.js';

/**
 * The claim `name` (or dotted path) must equal `expected`, contain it when the claim is
 * an array, or satisfy it when `expected` is a predicate. Otherwise 403 `insufficient_scope`.
 * @example
 * @RequireClaim('email_verified', true)
 * @RequireClaim('tenant', (value, claims) => value === claims.sub?.split('|')[0])
 */
export const RequireClaim = (name: string, expected: ClaimExpectation): ClassDecorator & MethodDecorator => {
  if (typeof name !== 'string' || name === '') throw new TypeError('@RequireClaim() expects a claim name');
  if (!['string', 'number', 'boolean', 'function'].includes(typeof expected)) {
    throw new TypeError('@RequireClaim() expects a string, number or boolean value, or a predicate');
  }
  return addRequirement({ kind: 'claim', name, expected });
};
