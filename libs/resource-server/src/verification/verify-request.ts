import type { IncomingMessage } from 'node:http';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { MissingTokenError } from '../errors/bearer-token.errors.js';
import type { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { checkCrossSite, type CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { clientCertificateThumbprint, type ClientCertificatePolicy } from '../extraction/client-certificate.js';
import { checkCertificateBinding } from './certificate-binding.js';
import { whenAnswered, type TokenVerifier } from './token-verifier.js';

/** The stages that turn a request into a verified token. */
export interface RequestVerification {
  readonly resolver: BearerTokenResolver;
  readonly crossSite: CrossSitePolicy;
  readonly verifier: TokenVerifier;
  /** Where the client certificate comes from (RFC 8705); undefined: nowhere. */
  readonly clientCertificate?: ClientCertificatePolicy;
}

/**
 * The request's token, verified: found by the resolver (none: `MissingTokenError`), a
 * cross-site write by cookie refused before the token is looked at, then verified with the
 * request's plain facts (with the client certificate's thumbprint, RFC 8705), and a
 * certificate-bound token checked against that certificate, on every request whatever the
 * verifier cached. Answers at once when the verifier does. The guard and the Passport
 * strategy both call this, so both take the same steps in the same order.
 * @internal
 */
export function verifyRequest(
  request: IncomingMessage,
  stages: RequestVerification,
): VerifiedToken | Promise<VerifiedToken> {
  const resolved = stages.resolver.resolve(request);
  if (resolved === undefined) throw new MissingTokenError();
  checkCrossSite(request, resolved.source, stages.crossSite);
  const context = {
    source: resolved.source,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    clientCertificateThumbprint:
      stages.clientCertificate && clientCertificateThumbprint(request, stages.clientCertificate),
  };
  // checked per request, after any cache: the binding is the connection's, not the token's
  return whenAnswered(stages.verifier.verify(resolved.token, context), (verified) => {
    checkCertificateBinding(verified.claims, context);
    return verified;
  });
}
