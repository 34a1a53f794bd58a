/** Where the metadata is served, under the resource identifier (RFC 9728 §3.1). */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The URL of the metadata of `resource`: the 401 challenges' `resource_metadata` (RFC 9728 §5.1). */
export function resourceMetadataUrl(resource: string): string {
  return `${resource}${PROTECTED_RESOURCE_METADATA_PATH}`;
}

/** What the metadata document is built from. */
export interface ProtectedResourceMetadataPolicy {
  /** The resource identifier; undefined: no metadata (the route answers 404). */
  readonly resource?: string;
  /** Issuer identifiers of the authorization servers whose tokens the API accepts. */
  readonly authorizationServers: readonly string[];
  /** DPoP (RFC 9449): `off`, `allowed` or `required`. Default: off. */
  readonly dpop?: 'off' | 'allowed' | 'required';
  /** JWS algorithms accepted in DPoP proofs. */
  readonly dpopAlgorithms?: readonly string[];
  /** Certificate-bound tokens (RFC 8705) are checked. */
  readonly mtls: boolean;
}

/** Injection token of the {@link ProtectedResourceMetadataPolicy}. @internal */
export const ProtectedResourceMetadataPolicy = Symbol.for('nest-resource-server.ProtectedResourceMetadataPolicy');

/** The protected resource metadata document (RFC 9728 §2). */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly dpop_signing_alg_values_supported?: readonly string[];
  readonly dpop_bound_access_tokens_required?: true;
  readonly tls_client_certificate_bound_access_tokens?: true;
}

/** The contract's DPoP algorithms when none are configured. */
const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'RS256', 'PS256'];

/**
 * The document `GET /.well-known/oauth-protected-resource` answers (RFC 9728 §2-3): the
 * resource, its authorization servers, `["header"]` (RFC 6750 §2.1; the cookie is not an RFC
 * 9728 method), the scopes its routes require, and the DPoP and mTLS fields when those are on.
 */
export function protectedResourceMetadata(
  policy: ProtectedResourceMetadataPolicy & { readonly resource: string },
  scopes: readonly string[],
): ProtectedResourceMetadata {
  const dpop = policy.dpop ?? 'off';
  return {
    resource: policy.resource,
    authorization_servers: [...policy.authorizationServers],
    bearer_methods_supported: ['header'],
    scopes_supported: [...scopes],
    ...(dpop !== 'off'
      ? { dpop_signing_alg_values_supported: [...(policy.dpopAlgorithms ?? DEFAULT_DPOP_ALGORITHMS)] }
      : {}),
    ...(dpop === 'required' ? { dpop_bound_access_tokens_required: true as const } : {}),
    ...(policy.mtls ? { tls_client_certificate_bound_access_tokens: true as const } : {}),
  };
}
