import type { RejectionReason } from './rejection-reason.js';

/** The error codes of RFC 6750 §3.1, RFC 9470 §3's `insufficient_user_authentication`, and the two of DPoP (RFC 9449 §7.1, §8). */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/**
 * A request refused for its bearer token (RFC 6750 §3). Created where the rule is checked,
 * with the {@link RejectionReason} a client acts on; written to the client by
 * `BearerErrorFilter` alone.
 */
export abstract class BearerTokenError extends Error {
  abstract readonly status: 400 | 401 | 403;
  /** Undefined only when the request carried no token (RFC 6750 §3.1). */
  readonly code?: BearerErrorCode;
  /**
   * @param description reaches the client as `error_description`: never the token, a secret or a stack trace.
   * @param reason why, from the contract's list: in the body and the log line.
   * @param options `cause` is kept for server logs only.
   */
  constructor(
    readonly description: string | undefined,
    readonly reason: RejectionReason,
    options?: { cause?: unknown },
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
    super(undefined, 'token_missing');
  }
}

/** The request is malformed: two tokens, or a broken `Authorization` header (400). */
export class InvalidRequestError extends BearerTokenError {
  readonly status = 400;
  override readonly code = 'invalid_request';
  constructor(description: string, reason: 'two_tokens' | 'bad_header', options?: { cause?: unknown }) {
    super(description, reason, options);
  }
}

/** The token is expired, revoked, malformed or not meant for this API (401). */
export class InvalidTokenError extends BearerTokenError {
  readonly status = 401;
  override readonly code = 'invalid_token';
  constructor(description: string, reason: RejectionReason, options?: { cause?: unknown }) {
    super(description, reason, options);
  }
}

/**
 * The token is valid but lacks what the route needs (403). `scope` is set for a missing
 * scope (RFC 6750 §3); a missing claim or role carries a description instead.
 */
export class InsufficientScopeError extends BearerTokenError {
  readonly status = 403;
  override readonly code = 'insufficient_scope';
  constructor(
    description: string,
    reason: 'scope_missing' | 'role_missing' | 'claim_missing',
    readonly scope?: string,
  ) {
    super(description, reason);
  }
}
