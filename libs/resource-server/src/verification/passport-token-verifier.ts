import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { toBearerError } from '../errors/to-bearer-error.js';
import { isJwsCompact } from '../jwt/jose-header.validator.js';
import type { TokenStrategyName } from '../module/resource-server-options.js';
import { PENDING_TOKEN } from '../module/resource-server.tokens.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * A Passport strategy built with `PassportStrategy()` (each registered in a Passport instance
 * of its own): `authenticate` ends by calling one of the actions of an {@link Attempt}.
 */
export interface RegisteredStrategy {
  authenticate(request: IncomingMessage, options?: object): void;
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

  verify(token: string, request: IncomingMessage, _response: ServerResponse): Promise<VerifiedToken> {
    const kind = this.kindOf(token);
    const strategy = this.strategies[kind];
    if (!strategy) return Promise.reject(new Error(`no ${kind} strategy registered`));
    (request as unknown as Record<symbol, string>)[PENDING_TOKEN] = token;
    return run(strategy, request, token, kind);
  }

  private kindOf(token: string): 'jwt' | 'introspection' {
    return this.strategy === 'auto' ? (isJwsCompact(token) ? 'jwt' : 'introspection') : this.strategy;
  }
}

/** The actions Passport gives a strategy for one attempt (passport/lib/middleware/authenticate.js). */
interface Attempt {
  authenticate(request: IncomingMessage, options: object): void;
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  redirect(url: string, status?: number): void;
  pass(): void;
}

const OPTIONS = Object.freeze({ session: false });

/**
 * One authentication attempt, made the way `passport.authenticate()` makes it (an
 * `Object.create()` of the strategy, given the actions), without its per-request middleware:
 * it would add seven properties to every request (`login`, `logIn`, `logout`, `logOut`,
 * `isAuthenticated`, `isUnauthenticated`, `_sessionManager`), which costs more downstream
 * than the call itself (docs/benchmarks.md).
 */
function run(
  strategy: RegisteredStrategy,
  request: IncomingMessage,
  token: string,
  kind: VerifiedToken['strategy'],
): Promise<VerifiedToken> {
  return new Promise((resolve, reject) => {
    const refuse = (reason: unknown) => reject(toBearerError(reason));
    const attempt = Object.create(strategy) as Attempt;
    attempt.success = (claims, info) =>
      claims ? resolve({ token, claims: claims as AccessTokenClaims, strategy: kind }) : refuse(info);
    // passport's fail(status) form carries no challenge
    attempt.fail = (challenge) => refuse(typeof challenge === 'number' ? undefined : challenge);
    attempt.error = refuse;
    attempt.redirect = attempt.pass = () => refuse(undefined);
    try {
      attempt.authenticate(request, OPTIONS);
    } catch (error) {
      refuse(error);
    }
  });
}
