import type { IncomingMessage, ServerResponse } from 'node:http';
import type passport from 'passport';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { toBearerError } from '../errors/to-bearer-error.js';
import { isJwsCompact } from '../jwt/jose-header.validator.js';
import type { TokenStrategyName } from '../module/resource-server-options.js';
import { PENDING_TOKEN } from '../module/resource-server.tokens.js';
import type { TokenVerifier } from './token-verifier.js';

/** A Passport strategy built with `PassportStrategy()`, registered in its own Passport instance. */
export interface RegisteredStrategy {
  /** The name it is registered under (passport-jwt's own `name` is always `jwt`). */
  readonly passportName: string;
  getPassportInstance(): passport.Authenticator;
  /** Claims the strategy can vouch for at once (a result cached in memory), or `undefined`. */
  validateCached?(token: string): AccessTokenClaims | undefined;
}

/**
 * Runs the configured Passport strategy: `jwt`, `introspection`, or for `auto` the JWT one
 * when the token has the JWS compact shape and introspection otherwise.
 */
export class PassportTokenVerifier implements TokenVerifier {
  constructor(
    private readonly strategy: TokenStrategyName,
    private readonly strategies: { readonly jwt?: RegisteredStrategy; readonly introspection?: RegisteredStrategy },
  ) {}

  verifyCached(token: string): VerifiedToken | undefined {
    const kind = this.kindOf(token);
    let claims: AccessTokenClaims | undefined;
    try {
      claims = this.strategies[kind]?.validateCached?.(token);
    } catch (error) {
      throw toBearerError(error);
    }
    return claims && { token, claims, strategy: kind };
  }

  async verify(token: string, request: IncomingMessage, response: ServerResponse): Promise<VerifiedToken> {
    const kind = this.kindOf(token);
    const strategy = this.strategies[kind];
    if (!strategy) throw new Error(`no ${kind} strategy registered`);
    (request as unknown as Record<symbol, string>)[PENDING_TOKEN] = token;
    const claims = await run(strategy, request, response);
    return { token, claims, strategy: kind };
  }

  private kindOf(token: string): 'jwt' | 'introspection' {
    return this.strategy === 'auto' ? (isJwsCompact(token) ? 'jwt' : 'introspection') : this.strategy;
  }
}

function run(
  strategy: RegisteredStrategy,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<AccessTokenClaims> {
  return new Promise((resolve, reject) => {
    const authenticate = strategy
      .getPassportInstance()
      .authenticate(
        strategy.passportName,
        { session: false },
        (error: unknown, claims: AccessTokenClaims | false, info: unknown) => {
          if (error) reject(toBearerError(error));
          else if (!claims) reject(toBearerError(info));
          else resolve(claims);
        },
      );
    authenticate(request, response, (error: unknown) => reject(toBearerError(error)));
  });
}
