import { BearerTokenError } from './bearer-token.errors.js';

/**
 * The token is valid, but the user's authentication behind it falls short of what the route
 * needs (RFC 9470 §3): the wrong `acr`, or an `auth_time` too old or missing. 401 with
 * `error="insufficient_user_authentication"`, reason `authentication_insufficient`; the
 * challenge carries `acr_values` only when the `acr` is at fault, and `max_age` only when
 * `auth_time` is, so the client knows what to ask the authorization server for.
 */
export class InsufficientUserAuthenticationError extends BearerTokenError {
  readonly status = 401;
  override readonly code = 'insufficient_user_authentication';

  /**
   * @param acrValues the acceptable `acr` values, space separated in order of preference
   *   (the challenge's `acr_values`); undefined when the `acr` was acceptable.
   * @param maxAgeSeconds the largest acceptable age of the authentication, in seconds (the
   *   challenge's `max_age`); undefined when `auth_time` was recent enough.
   */
  constructor(
    description: string,
    readonly acrValues?: string,
    readonly maxAgeSeconds?: number,
  ) {
    super(description, 'authentication_insufficient');
  }
}
