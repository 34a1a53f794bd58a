import type { KeyObject } from 'node:crypto';
import { Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { validateRegisteredClaims, type RegisteredClaimsPolicy } from '../claims/registered-claims.validator.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError, InvalidTokenError } from '../errors/bearer-token.errors.js';
import { parseJoseHeader, type JoseHeaderPolicy } from '../jwt/jose-header.validator.js';
import type { TokenVerifier } from '../verification/token-verifier.js';

/** What the JWT verifier checks a token against. */
export interface JwtVerifierPolicy {
  readonly header: JoseHeaderPolicy;
  readonly claims: RegisteredClaimsPolicy;
  /** The key of HS* tokens; undefined: HMAC is never accepted (the header policy refuses it first). */
  readonly hmacKey?: KeyObject;
}

/** Where the verifier finds a signing key: at once when it holds it, else after a fetch. */
export interface SigningKeySource {
  key(kid: string, alg: string): KeyObject | Promise<KeyObject>;
}

/** What passport-jwt is handed instead of a request: the token the guard already resolved. */
interface Carrier {
  readonly token: string;
}

/** The actions Passport gives a strategy for one attempt (passport/lib/middleware/authenticate.js). */
interface StrategyAttempt {
  authenticate(carrier: Carrier, options: object): void;
  success(user: unknown): void;
  fail(challenge?: unknown): void;
  error(error: unknown): void;
}

type KeyCallback = (error: unknown, key?: KeyObject) => void;
type Verified = (error: unknown, user?: AccessTokenClaims) => void;

const OPTIONS = Object.freeze({ session: false });

/**
 * The JWT verifier, on passport-jwt (jsonwebtoken) with keys from the issuer's JWKS
 * (jwks-rsa, through the key store): the one place that knows Passport verifies our JWTs.
 *
 * In order: the JOSE header is checked before any key is looked up, the key must fit the
 * algorithm, jsonwebtoken checks the signature, then the registered claims are checked by
 * the validator introspection shares. Everything but the signature is decided by our own
 * checks, so a failure jsonwebtoken reports can only be the signature's: it is classified
 * by that, never by its message text.
 *
 * Each call is one attempt made the way `passport.authenticate()` makes one (an
 * `Object.create()` of the strategy, given `success`/`fail`/`error`), without that
 * middleware's per-request session helpers. With the key in memory, passport-jwt and
 * jsonwebtoken run synchronously, and so does this verifier: no promise on the hot path.
 */
export class PassportJwtVerifier implements TokenVerifier {
  private readonly strategy: Strategy;

  constructor(policy: JwtVerifierPolicy, keys: SigningKeySource) {
    const options = {
      jwtFromRequest: (carrier: Carrier) => carrier.token,
      secretOrKeyProvider: (_carrier: Carrier, rawToken: string, done: KeyCallback) => {
        let key: KeyObject | Promise<KeyObject> | undefined;
        try {
          const header = parseJoseHeader(rawToken, policy.header);
          key = header.alg.startsWith('HS') ? policy.hmacKey : keys.key(header.kid!, header.alg);
        } catch (error) {
          return done(error);
        }
        if (key instanceof Promise) key.then((fetched) => done(null, fetched), done);
        else done(null, key);
      },
      algorithms: [...policy.header.algorithms],
      // exp, nbf, iat, iss and aud are checked by validateRegisteredClaims with the injected clock
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
    } as unknown as StrategyOptionsWithoutRequest; // its typings predate KeyObject keys
    this.strategy = new Strategy(options, (payload: unknown, done: Verified) => {
      try {
        validateRegisteredClaims(payload, policy.claims, true);
      } catch (error) {
        return done(error);
      }
      done(null, payload);
    });
  }

  verify(token: string): VerifiedToken | Promise<VerifiedToken> {
    const outcome = new Outcome(token);
    const attempt = Object.create(this.strategy) as StrategyAttempt;
    attempt.success = (claims) => outcome.settle(claims as AccessTokenClaims, undefined);
    attempt.fail = (reason) => outcome.settle(undefined, classify(reason));
    attempt.error = (reason) => outcome.settle(undefined, classify(reason));
    try {
      attempt.authenticate({ token }, OPTIONS);
    } catch (error) {
      outcome.settle(undefined, classify(error));
    }
    return outcome.result();
  }
}

/** How one attempt ended: at once (the usual case, key in memory) or later (after a JWKS fetch). */
class Outcome {
  private done = false;
  private verified?: VerifiedToken;
  private failure?: BearerTokenError | AuthorizationServerUnavailableError;
  private resolve?: (verified: VerifiedToken) => void;
  private reject?: (failure: unknown) => void;

  constructor(private readonly token: string) {}

  settle(
    claims: AccessTokenClaims | undefined,
    failure: BearerTokenError | AuthorizationServerUnavailableError | undefined,
  ): void {
    if (this.done) return;
    this.done = true;
    if (failure) {
      this.failure = failure;
      this.reject?.(failure);
    } else {
      this.verified = { token: this.token, claims: claims!, strategy: 'jwt' };
      this.resolve?.(this.verified);
    }
  }

  result(): VerifiedToken | Promise<VerifiedToken> {
    if (this.done) {
      if (this.failure) throw this.failure;
      return this.verified!;
    }
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Ours pass through. Anything else came from jsonwebtoken after our header, key and
 * structure checks passed, so it is the signature's verdict (`JsonWebTokenError`, or the
 * `TypeError` of an ECDSA signature of the wrong length), except a payload that is not JSON
 * (`SyntaxError`). Classified by class name; the original stays as `cause` for the logs.
 */
function classify(error: unknown): BearerTokenError | AuthorizationServerUnavailableError {
  if (error instanceof BearerTokenError || error instanceof AuthorizationServerUnavailableError) return error;
  if ((error as { name?: unknown } | null)?.name === 'SyntaxError') {
    return new InvalidTokenError('token is malformed', 'token_malformed', { cause: error });
  }
  return new InvalidTokenError('token signature is invalid', 'signature_invalid', { cause: error });
}
