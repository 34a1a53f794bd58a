import { addRequirement, nonEmptyStrings } from '../route-requirements.js';

/**
 * The token must carry every one of these scopes (from `scope` or `scp`, compared as
 * whole values: `todo:writer` never satisfies `todo:write`). Missing: 403
 * `insufficient_scope` with `scope="<all scopes the route needs>"` (RFC 6750 §3.1).
 * @example
 * @RequireScope('todo:write')
 * @Post()
 * create() {}
 */
export const RequireScope = (...scopes: string[]): ClassDecorator & MethodDecorator =>
  addRequirement({ kind: 'scope', scopes: nonEmptyStrings('RequireScope', scopes) });
