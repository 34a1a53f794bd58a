/** The error codes of RFC 6750 §3.1. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/**
 * A request rejected for its bearer token (RFC 6750 §3). Written to the client by
 * `BearerErrorFilter`; nothing else turns these into responses.
 */
export abstract class BearerTokenError extends Error {
  abstract readonly status: 400 | 401 | 403;
  /** Undefined only when the request carried no token (RFC 6750 §3.1). */
  readonly code?: BearerErrorCode;
  /**
   * @param description reaches the client as `error_description`: never the token, a secret or a stack trace.
   * @param reason a short machine-readable code for server logs, such as `token_expired`.
   */
  constructor(
    readonly description?: string,
    readonly reason: string = 'rejected',
    options?: ErrorOptions,
  ) {
    super(description ?? 'bearer token rejected', options);
    this.name = new.target.name;
  }
}

/** No token on a protected route: 401 with a bare challenge (RFC 6750 §3.1). */
export class MissingTokenError extends BearerTokenError {
  readonly status = 401;
  override readonly code = undefined;
  constructor() {
    super(undefined, 'missing_token');
  }
}

/** The request is malformed: two tokens, or a broken `Authorization` header (400). */
export class InvalidRequestError extends BearerTokenError {
  readonly status = 400;
  override readonly code = 'invalid_request';
}

/** The token is expired, revoked, malformed or not meant for this API (401). */
export class InvalidTokenError extends BearerTokenError {
  readonly status = 401;
  override readonly code = 'invalid_token';
}

/**
 * The token is valid but lacks what the route needs (403). `scope` is set for a missing
 * scope (RFC 6750 §3); a missing claim or role carries a description instead.
 */
export class InsufficientScopeError extends BearerTokenError {
  readonly status = 403;
  override readonly code = 'insufficient_scope';
  constructor(
    description: string | undefined,
    reason: string,
    readonly scope?: string,
  ) {
    super(description, reason);
  }
}
