import type { VerifiedToken } from '../claims/access-token-claims.js';
import { validateRegisteredClaims, type RegisteredClaimsPolicy } from '../claims/registered-claims.validator.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { whenAnswered, type TokenVerifier } from '../verification/token-verifier.js';
import type { IntrospectionResponse, TokenIntrospector } from './token-introspector.js';

// token_type values that are access tokens (RFC 7662 §2.2 uses RFC 6749 §7.1 types, and
// RFC 9449 §6.2 `DPoP`, whose binding the cnf rule checks); a refresh token must not open the
// API as a bearer token
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token', 'dpop']);

/**
 * Verification by RFC 7662 introspection: the authorization server says whether the token
 * is `active`, and the claims it returns are still checked (`aud` required; `exp`, `nbf`,
 * `iat`, `iss` when present; no id-token markers) by the validator the JWT verifier uses.
 * A result the introspector holds in memory is checked and returned at once.
 */
export class IntrospectionTokenVerifier implements TokenVerifier {
  constructor(
    private readonly introspector: TokenIntrospector,
    private readonly policy: RegisteredClaimsPolicy,
  ) {}

  verify(token: string): VerifiedToken | Promise<VerifiedToken> {
    return whenAnswered(this.introspector.introspect(token), (response) => this.checked(token, response));
  }

  private checked(token: string, response: IntrospectionResponse): VerifiedToken {
    if (response.active !== true) throw new InvalidTokenError('token is not active', 'token_inactive');
    const type = response.token_type;
    if (type !== undefined && (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type.toLowerCase()))) {
      throw new InvalidTokenError('token is not an access token', 'token_type_not_accepted');
    }
    validateRegisteredClaims(response, this.policy, false);
    return { token, claims: response, strategy: 'introspection' };
  }
}
