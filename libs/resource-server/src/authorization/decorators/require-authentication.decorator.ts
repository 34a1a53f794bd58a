import { addRequirement, nonEmptyStrings } from '../route-requirements.js';
import type { AuthenticationRequirement } from '../step-up.js';

/**
 * Step-up authentication (RFC 9470): the token's `acr` must be one of `acr`, and its
 * `auth_time` at most `maxAgeSeconds` old (plus the clock tolerance). Checked after the
 * route's scopes, roles and claims (those stay 403s). Falling short: 401
 * `error="insufficient_user_authentication"` with `acr_values` (when the `acr` is wrong)
 * and `max_age` (when `auth_time` is too old or missing), reason `authentication_insufficient`:
 * the client sends the user back to the authorization server with those parameters.
 * @example
 * @RequireScope('todo:write')
 * @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
 * @Delete('todos')
 * removeAll() {}
 */
export const RequireAuthentication = (requirement: AuthenticationRequirement): ClassDecorator & MethodDecorator => {
  if (requirement === null || typeof requirement !== 'object') {
    throw new TypeError('@RequireAuthentication() expects { acr?, maxAgeSeconds? }');
  }
  const { acr, maxAgeSeconds } = requirement;
  if (acr === undefined && maxAgeSeconds === undefined) {
    throw new TypeError('@RequireAuthentication() expects acr, maxAgeSeconds or both');
  }
  if (acr !== undefined && !Array.isArray(acr)) {
    throw new TypeError('@RequireAuthentication() expects acr as a list of values');
  }
  if (maxAgeSeconds !== undefined && (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0)) {
    throw new TypeError('@RequireAuthentication() expects maxAgeSeconds as a whole number of seconds ≥ 0');
  }
  return addRequirement({
    kind: 'authentication',
    ...(acr === undefined ? {} : { acr: nonEmptyStrings('RequireAuthentication', acr) }),
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
  });
};
