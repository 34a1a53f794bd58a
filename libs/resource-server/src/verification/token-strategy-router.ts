import type { VerifiedToken } from '../claims/access-token-claims.js';
import type { TokenVerifier, VerificationContext } from './token-verifier.js';

/**
 * The `auto` strategy: a token the predicate recognizes (the JWS compact shape) is verified
 * by the first verifier (locally), any other by the second (introspection, RFC 7662).
 * Chosen per token, so one API accepts both kinds.
 */
export class TokenStrategyRouter implements TokenVerifier {
  constructor(
    private readonly isFirstKind: (token: string) => boolean,
    private readonly first: TokenVerifier,
    private readonly second: TokenVerifier,
  ) {}

  verify(token: string, context: VerificationContext): VerifiedToken | Promise<VerifiedToken> {
    return (this.isFirstKind(token) ? this.first : this.second).verify(token, context);
  }
}
