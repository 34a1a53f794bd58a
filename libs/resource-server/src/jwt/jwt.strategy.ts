import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { validateRegisteredClaims, type RegisteredClaimsPolicy } from '../claims/registered-claims.validator.js';
import type { ResolvedOptions } from '../module/resource-server-options.js';
import { PENDING_TOKEN, RESOLVED_OPTIONS } from '../module/resource-server.tokens.js';
import { JwksKeyStore } from './jwks-key-store.js';
import { parseJoseHeader, type JoseHeaderPolicy } from './jose-header.validator.js';

/** The Passport name of the JWT strategy. */
export const JWT_STRATEGY = 'nest-resource-server-jwt';

type KeyCallback = (error: unknown, key?: KeyObject) => void;

/**
 * Local validation of JWT access tokens: passport-jwt (jsonwebtoken) checks the signature
 * with a key from the issuer's JWKS (jwks-rsa); the header is checked before the key is
 * looked up, and the registered claims after, by the validator introspection shares.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  private readonly policy: RegisteredClaimsPolicy;
  declare private registry?: passport.Authenticator;

  constructor(@Inject(RESOLVED_OPTIONS) options: ResolvedOptions, keyStore: JwksKeyStore) {
    const headerPolicy: JoseHeaderPolicy = {
      algorithms: options.algorithms,
      hmacConfigured: options.hmacKey !== undefined,
      requireAccessTokenType: options.requireAccessTokenType,
    };
    const strategyOptions = {
      jwtFromRequest: (request: Record<symbol, string | undefined>) => request[PENDING_TOKEN] ?? null,
      secretOrKeyProvider: (_request: unknown, rawToken: string, done: KeyCallback) => {
        let header;
        try {
          header = parseJoseHeader(rawToken, headerPolicy);
        } catch (error) {
          return done(error);
        }
        if (header.alg.startsWith('HS')) return done(null, options.hmacKey);
        // a key already in memory is handed over at once, without a promise
        let key;
        try {
          key = keyStore.cachedKey(header.kid!, header.alg);
        } catch (error) {
          return done(error);
        }
        if (key) return done(null, key);
        keyStore.getKey(header.kid!, header.alg).then((fetched) => done(null, fetched), done);
      },
      algorithms: [...options.algorithms],
      // exp, nbf, iat, iss and aud are checked by validateRegisteredClaims with the injected clock
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
    } as unknown as StrategyOptionsWithoutRequest; // its typings predate KeyObject keys
    super(strategyOptions);
    this.policy = options;
  }

  /**
   * Where `PassportStrategy()` registers the strategy: a Passport instance of its own, never the
   * global one, so the application's own strategies and names are left alone. The guard calls
   * the injected instance itself (PassportTokenVerifier), not a name looked up in a registry.
   */
  getPassportInstance(): passport.Authenticator {
    return (this.registry ??= new passport.Passport());
  }

  validate(payload: unknown): AccessTokenClaims {
    validateRegisteredClaims(payload, this.policy, true);
    return payload;
  }
}
