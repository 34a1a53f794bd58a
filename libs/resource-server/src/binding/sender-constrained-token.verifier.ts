import { hash } from 'node:crypto';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { DpopNonceError, DpopProofError } from '../errors/dpop.errors.js';
import type { DpopNonces } from '../dpop/dpop-nonces.js';
import type { DpopProofValidator, ValidatedDpopProof } from '../dpop/dpop-proof.validator.js';
import type { DpopReplayStore } from '../dpop/dpop-replay-store.js';
import { whenAnswered, type TokenVerifier, type VerificationContext } from '../verification/token-verifier.js';

/** How sender-constrained tokens are checked. */
export interface SenderConstraintPolicy {
  /** `off`: a `cnf.jkt` token is never accepted; `required`: only the DPoP scheme is. */
  readonly dpop: 'off' | 'allowed' | 'required';
  /** Milliseconds a seen proof is remembered: the longest it could still be accepted. */
  readonly replayWindowMs: number;
}

/** The DPoP parts; absent while DPoP is off. */
export interface DpopChecks {
  readonly proofs: DpopProofValidator;
  readonly replays: DpopReplayStore;
  /** Present when proofs must carry a server nonce (RFC 9449 §8). */
  readonly nonces?: DpopNonces;
}

/**
 * The binding rule (the operator contract, "Sender-constrained tokens"): a token carrying
 * `cnf` is accepted only with the proof each of its members asks for, `jkt` a DPoP proof by
 * that key (RFC 9449 §6, §7.1), `x5t#S256` the TLS client certificate with that thumbprint
 * (RFC 8705 §3); any other member, or no proof, is `invalid_token`, reason `token_bound`.
 * The DPoP scheme needs a `cnf.jkt` token. Wraps the whole verifier, caches included, so a
 * token verified from memory is held to its binding on every request.
 *
 * Order: the proof is checked first (cheap, and a broken one must not cost an introspection
 * call), then its nonce, then the token, then the binding, and the proof is recorded as used
 * last, so that a request refused for another reason does not burn a client's `jti`.
 */
export class SenderConstrainedTokenVerifier implements TokenVerifier {
  constructor(
    private readonly inner: TokenVerifier,
    private readonly policy: SenderConstraintPolicy,
    private readonly dpop?: DpopChecks,
  ) {}

  verify(token: string, context: VerificationContext): VerifiedToken | Promise<VerifiedToken> {
    if (context.scheme !== 'dpop') {
      if (this.policy.dpop === 'required') {
        throw new InvalidTokenError('a DPoP-bound token and proof are required', 'dpop_required');
      }
      return whenAnswered(this.inner.verify(token, context), (verified) => this.unproven(verified, context));
    }
    if (!this.dpop) throw new InvalidTokenError('DPoP is not accepted here', 'token_bound');
    const proof = this.dpop.proofs.validate(context.dpopProof, { ...context, accessToken: token });
    return whenAnswered(this.checkNonce(proof), () =>
      whenAnswered(this.inner.verify(token, context), (verified) => this.proven(verified, proof, context)),
    );
  }

  private checkNonce(proof: ValidatedDpopProof): void | Promise<void> {
    const nonces = this.dpop?.nonces;
    if (!nonces) return;
    return whenAnswered(nonces.accepts(proof.nonce), (accepted) => {
      if (accepted) return;
      return whenAnswered(nonces.current(), (nonce) => {
        const why = proof.nonce === undefined ? 'DPoP proof needs the server nonce' : 'DPoP nonce unknown or stale';
        throw new DpopNonceError(why, nonce);
      });
    });
  }

  /** A DPoP-scheme token: bound to the proof's key, then the proof recorded as used. */
  private proven(
    verified: VerifiedToken,
    proof: ValidatedDpopProof,
    context: VerificationContext,
  ): VerifiedToken | Promise<VerifiedToken> {
    const cnf = cnfOf(verified);
    if (cnf === undefined || typeof cnf.jkt !== 'string') {
      throw new InvalidTokenError('the DPoP scheme needs a DPoP-bound token (cnf.jkt)', 'token_bound');
    }
    // RFC 9449 §7.1: a proof by another key is the token's fault (invalid_token), not the proof's
    if (cnf.jkt !== proof.jkt) throw new InvalidTokenError('DPoP proof key is not the token binding', 'token_bound');
    this.checkOtherMembers(cnf, context, 'jkt');
    const id = hash('sha256', `${proof.jkt}.${proof.jti}`, 'base64url');
    return whenAnswered(this.dpop!.replays.claim(id, this.policy.replayWindowMs), (fresh) => {
      if (!fresh) throw new DpopProofError('DPoP proof already used');
      return verified;
    });
  }

  /** A token without a DPoP proof: bound only by a certificate the connection presented, or not at all. */
  private unproven(verified: VerifiedToken, context: VerificationContext): VerifiedToken {
    const cnf = cnfOf(verified);
    if (cnf === undefined) return verified;
    if (typeof cnf.jkt === 'string' || cnf['x5t#S256'] === undefined) {
      throw new InvalidTokenError('token is bound to a key: present its proof', 'token_bound');
    }
    this.checkOtherMembers(cnf, context);
    return verified;
  }

  /** Every `cnf` member other than `proven` must be one this API can check, and hold. */
  private checkOtherMembers(cnf: Record<string, unknown>, context: VerificationContext, proven?: string): void {
    for (const [member, value] of Object.entries(cnf)) {
      if (member === proven) continue;
      if (member !== 'x5t#S256' || typeof value !== 'string') {
        throw new InvalidTokenError('token is bound to a proof this request lacks', 'token_bound');
      }
      // RFC 8705 §3: the connection's (or the trusted proxy's) client certificate
      if (context.clientCertificateThumbprint === undefined) {
        throw new InvalidTokenError(
          'token is bound to a client certificate the request does not present',
          'token_bound',
        );
      }
      if (value !== context.clientCertificateThumbprint) {
        throw new InvalidTokenError('token is bound to another client certificate', 'token_bound');
      }
    }
  }
}

/** The `cnf` claim (RFC 7800), undefined when absent; anything but a non-empty object is a binding we cannot honour. */
function cnfOf(verified: VerifiedToken): Record<string, unknown> | undefined {
  const cnf = verified.claims.cnf;
  if (cnf === undefined) {
    // RFC 9449 §6.2: an introspection answer typed DPoP is bound, even if it forgot to say to what
    const type = verified.claims.token_type;
    if (typeof type === 'string' && type.toLowerCase() === 'dpop') {
      throw new InvalidTokenError('DPoP token without its binding (cnf.jkt)', 'token_bound');
    }
    return undefined;
  }
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf) || Object.keys(cnf).length === 0) {
    throw new InvalidTokenError('token carries a confirmation (cnf) this API cannot check', 'token_bound');
  }
  return cnf as Record<string, unknown>;
}
