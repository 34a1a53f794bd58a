import type { IncomingMessage } from 'node:http';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { MissingTokenError } from '../errors/bearer-token.errors.js';
import { markDpopScheme } from '../errors/dpop-challenge.js';
import type { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { checkCrossSite, type CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { clientCertificateThumbprint, type ClientCertificatePolicy } from '../extraction/client-certificate.js';
import type { TokenVerifier } from './token-verifier.js';

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
 * request's plain facts (the scheme and DPoP proof, the client certificate's thumbprint),
 * which the binding rule around the verifier checks a `cnf` against on every request,
 * whatever was cached. Answers at once when the verifier does. The guard and the Passport
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
  if (resolved.scheme === 'dpop') markDpopScheme(request);
  // the binding rule (cnf: DPoP key or certificate) is the verifier's outermost layer, after any cache
  return stages.verifier.verify(resolved.token, {
    source: resolved.source,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    clientCertificateThumbprint:
      stages.clientCertificate && clientCertificateThumbprint(request, stages.clientCertificate),
    ...(resolved.scheme === 'dpop'
      ? { scheme: 'dpop', dpopProof: resolved.dpopProof, host: request.headers.host }
      : {}),
  });
}
