import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { validateRegisteredClaims, type RegisteredClaimsPolicy } from '../claims/registered-claims.validator.js';
import { InvalidTokenError, MissingTokenError } from '../errors/bearer-token.errors.js';
import type { ResolvedOptions } from '../module/resource-server-options.js';
import { PENDING_TOKEN, RESOLVED_OPTIONS } from '../module/resource-server.tokens.js';
import { TokenIntrospector, type IntrospectionResponse } from './token-introspector.js';

/** The Passport name of the introspection strategy. */
export const INTROSPECTION_STRATEGY = 'nest-resource-server-introspection';

type Verified = (error: unknown, claims?: AccessTokenClaims | false, info?: unknown) => void;

// token_type values that are access tokens (RFC 7662 §2.2 uses RFC 6749 §7.1 types); a
// refresh token or a DPoP-bound token must not open the API as a bearer token
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);

/** A Passport strategy that hands the guard's token to a verify callback. @internal */
class BearerTokenStrategy extends passport.Strategy {
  constructor(private readonly verify: (token: string, done: Verified) => void) {
    super();
  }

  override authenticate(request: IncomingMessage): void {
    const token = (request as unknown as Record<symbol, string | undefined>)[PENDING_TOKEN];
    if (!token) return this.fail(new MissingTokenError(), 401);
    this.verify(token, (error, claims, info) => {
      if (error) this.error(error);
      else if (!claims) this.fail(info as string | undefined, 401);
      else this.success(claims);
    });
  }
}

/**
 * Validation by RFC 7662 introspection: the authorization server says whether the token
 * is `active`, and the claims it returns are still checked (`aud` required; `exp`, `nbf`,
 * `iat`, `iss` when present) by the validator the JWT strategy uses.
 */
@Injectable()
export class IntrospectionStrategy extends PassportStrategy(BearerTokenStrategy, INTROSPECTION_STRATEGY) {
  private readonly policy: RegisteredClaimsPolicy;
  declare private registry?: passport.Authenticator;

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedOptions,
    @Inject(TokenIntrospector) private readonly introspector: TokenIntrospector,
  ) {
    super();
    this.policy = options;
  }

  /** Where `PassportStrategy()` registers it: a Passport instance of its own, never the global one (see JwtStrategy). */
  getPassportInstance(): passport.Authenticator {
    return (this.registry ??= new passport.Passport());
  }

  async validate(token: string): Promise<AccessTokenClaims> {
    return this.claimsOf(await this.introspector.introspect(token));
  }

  /**
   * The checked claims of a result the introspector still holds in memory, at once (no
   * promise, no Passport attempt); `undefined` when the endpoint must be asked.
   * @throws InvalidTokenError as {@link validate} does.
   */
  validateCached(token: string): AccessTokenClaims | undefined {
    const response = this.introspector.introspectCached?.(token);
    return response && this.claimsOf(response);
  }

  private claimsOf(response: IntrospectionResponse): AccessTokenClaims {
    if (response.active !== true) throw new InvalidTokenError('token is not active', 'inactive');
    const type = response.token_type;
    if (type !== undefined && (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type.toLowerCase()))) {
      throw new InvalidTokenError('token is not an access token', 'not_access_token');
    }
    validateRegisteredClaims(response, this.policy, false);
    return response;
  }
}
