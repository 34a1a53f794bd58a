import { addRequirement, nonEmptyStrings } from '../route-requirements.js';

/**
 * The token's roles claim (`roles` by default, see `rolesClaim`) must hold at least one
 * of these roles; a single-string claim counts as one role. Each `@RequireRole` on the
 * class and the method must hold. Missing: 403 `insufficient_scope`.
 * @example
 * @RequireRole('admin')
 * @Delete(':id')
 * remove() {}
 */
export const RequireRole = (...roles: string[]): ClassDecorator & MethodDecorator =>
  addRequirement({ kind: 'role', roles: nonEmptyStrings('RequireRole', roles) });
