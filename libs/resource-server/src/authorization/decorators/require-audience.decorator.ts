import { addRequirement, nonEmptyStrings } from '../route-requirements.js';

/**
 * Narrows the module's accepted audiences for one controller or route: the token's
 * `aud` must hold one of these. Otherwise 401 `invalid_token` (the token is not meant
 * for this resource, RFC 6750 §3.1). List only audiences the module accepts.
 * @example
 * @RequireAudience('billing-api')
 * @Controller('invoices')
 * class InvoicesController {}
 */
export const RequireAudience = (...audiences: string[]): ClassDecorator & MethodDecorator =>
  addRequirement({ kind: 'audience', audiences: nonEmptyStrings('RequireAudience', audiences) });
