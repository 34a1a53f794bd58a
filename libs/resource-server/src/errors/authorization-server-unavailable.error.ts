/**
 * The authorization server could not be asked (refused, timed out) or answered garbage:
 * discovery, the JWKS or introspection. Always a 503: the client's token is not at fault,
 * so it never becomes a 401, and never a 2xx. The message is for server logs only.
 */
export class AuthorizationServerUnavailableError extends Error {
  readonly status = 503;
  constructor(
    message: string,
    /** A short machine-readable code for logs, such as `jwks_unreachable`. */
    readonly reason: string = 'authorization_server_unavailable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
