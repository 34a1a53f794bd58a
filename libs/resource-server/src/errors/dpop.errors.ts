import { BearerTokenError } from './bearer-token.errors.js';

/**
 * The DPoP proof is missing, malformed, signed wrongly, stale, replayed or meant for another
 * request (RFC 9449 §4.3): 401, `DPoP … error="invalid_dpop_proof"`, reason `dpop_proof_invalid`.
 */
export class DpopProofError extends BearerTokenError {
  readonly status = 401;
  override readonly code = 'invalid_dpop_proof';
  constructor(description: string, options?: { cause?: unknown }) {
    super(description, 'dpop_proof_invalid', options);
  }
}

/**
 * The proof lacks the server's current nonce, or carries an unknown or stale one (RFC 9449
 * §8): 401, `DPoP … error="use_dpop_nonce"`, reason `dpop_nonce_required`, and the nonce to
 * use in a `DPoP-Nonce` header.
 */
export class DpopNonceError extends BearerTokenError {
  readonly status = 401;
  override readonly code = 'use_dpop_nonce';
  constructor(
    description: string,
    /** The nonce the client must put in its next proof: the filter sends it as `DPoP-Nonce`. */
    readonly nonce: string,
  ) {
    super(description, 'dpop_nonce_required');
  }
}
