import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import type { VerificationContext } from './token-verifier.js';

/**
 * RFC 8705 §3: a token whose `cnf` holds `x5t#S256` is bound to a client certificate and is
 * accepted only when the request's certificate has that thumbprint. Without a certificate,
 * with another one, or while the app reads none (mTLS off), it is `invalid_token`, reason
 * `token_bound`. Other confirmation methods (`cnf.jkt`, DPoP) are not looked at here.
 * @throws InvalidTokenError `token_bound`.
 */
export function checkCertificateBinding(
  claims: AccessTokenClaims,
  context: Pick<VerificationContext, 'clientCertificateThumbprint'>,
): void {
  const cnf = claims.cnf;
  if (cnf === undefined || cnf === null || typeof cnf !== 'object') return;
  const bound = (cnf as Record<string, unknown>)['x5t#S256'];
  if (bound === undefined) return;
  const presented = context.clientCertificateThumbprint;
  if (presented === undefined) {
    throw new InvalidTokenError('token is bound to a client certificate the request does not present', 'token_bound');
  }
  if (typeof bound !== 'string' || bound !== presented) {
    throw new InvalidTokenError('token is bound to another client certificate', 'token_bound');
  }
}
