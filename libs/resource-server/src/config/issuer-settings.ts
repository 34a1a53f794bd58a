import type { JwsAlgorithm } from './resource-server-options.js';

/**
 * One accepted issuer, with what differs from the module's options. Keys come from its own
 * JWKS (by discovery at `<issuer>/.well-known/openid-configuration` unless `jwksUri` is given),
 * fetched, cached and rate-limited apart from every other issuer's.
 */
export interface IssuerSettings {
  /** Its `iss`, compared exactly; also the base of its discovery. */
  readonly issuer: string;
  /** Accepted `aud` values for its tokens. Default: the module's `audience`. */
  readonly audience?: string | readonly string[];
  /** Accepted JWS algorithms for its tokens. Default: the module's `algorithms`. */
  readonly algorithms?: readonly string[];
  /** Its JWKS endpoint. Default: `jwks_uri` from its discovery. */
  readonly jwksUri?: string;
}

/**
 * Dynamic tenants: given the `iss` of a token (read before anything is verified), the
 * settings of that issuer, or `undefined` to refuse the token (`issuer_mismatch`, and no
 * request to any server). The settings' `issuer` must equal `iss`. Called once per issuer:
 * the answer is kept for the life of the app, and so are that issuer's keys.
 * @example
 * issuer: (iss) => (/^https:\/\/login\.example\.com\/tenants\/[a-z0-9-]+$/.test(iss) ? { issuer: iss } : undefined)
 */
export type IssuerResolver = (iss: string) => IssuerSettings | undefined | PromiseLike<IssuerSettings | undefined>;

/** An issuer after validation: everything the JWT verifier of its tokens needs. */
export interface ResolvedIssuer {
  readonly issuer: string;
  readonly audiences: ReadonlySet<string>;
  readonly algorithms: readonly JwsAlgorithm[];
  readonly jwksUri?: string;
}
