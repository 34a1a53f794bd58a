import { Inject, Injectable, Optional } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { attachVerifiedToken, type RequestWithToken } from '../transports/verified-request.js';
import { BearerTokenError, MissingTokenError } from '../errors/bearer-token.errors.js';
import { BearerTokenResolver, nodeRequestOf } from '../extraction/bearer-token-resolver.js';
import { CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { ClientCertificatePolicy } from '../extraction/client-certificate.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { verifyRequest, type RequestVerification } from '../verification/verify-request.js';
import { RESOURCE_SERVER_STRATEGY } from './strategy-name.js';

type Verified = (error: unknown, user?: AccessTokenClaims | false, info?: unknown) => void;

/** A Passport strategy that hands the request to a verify callback and maps our errors. @internal */
class RequestStrategy extends passport.Strategy {
  constructor(private readonly verifyRequest: (request: RequestWithToken, done: Verified) => void) {
    super();
  }

  override authenticate(request: object): void {
    this.verifyRequest(request as RequestWithToken, (error, claims) => {
      // 401s let the next chained strategy try; a malformed request or a down server ends the chain
      if (error instanceof BearerTokenError && error.status === 401) return this.fail(error, 401);
      if (error) return this.error(error);
      if (!claims) return this.fail(new MissingTokenError(), 401);
      this.success(claims);
    });
  }
}

/**
 * The module's pipeline as a Passport strategy named {@link RESOURCE_SERVER_STRATEGY},
 * registered in the application's `passport` instance, for `AuthGuard()` users. The global
 * `ResourceServerGuard` does not go through Passport's registry; this is for composition.
 * A route guarded this way gets the same claims on `request.user` and through `@Claims()`.
 * @internal
 */
@Injectable()
export class ResourceServerPassportStrategy extends PassportStrategy(RequestStrategy, RESOURCE_SERVER_STRATEGY) {
  private readonly stages: RequestVerification;

  constructor(
    @Inject(BearerTokenResolver) resolver: BearerTokenResolver,
    @Inject(TokenVerifier) verifier: TokenVerifier,
    @Inject(CrossSitePolicy) crossSite: CrossSitePolicy,
    @Optional() @Inject(ClientCertificatePolicy) clientCertificate?: ClientCertificatePolicy,
  ) {
    super();
    this.stages = { resolver, verifier, crossSite, clientCertificate: clientCertificate ?? undefined };
  }

  async validate(request: RequestWithToken): Promise<AccessTokenClaims> {
    const verified = await verifyRequest(nodeRequestOf(request), this.stages);
    attachVerifiedToken(request, verified);
    return verified.claims;
  }
}
