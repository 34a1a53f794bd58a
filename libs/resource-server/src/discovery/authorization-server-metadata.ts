import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { fetchJson } from './fetch-json.js';

/** The fields of the OpenID Provider / RFC 8414 metadata this library uses. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly introspection_endpoint?: string;
}

/**
 * OpenID Connect Discovery 1.0 §4 for one issuer: fetched on first use, kept once it
 * succeeded, retried on the next use after a failure (never at start-up, so a down
 * authorization server never blocks the app). Concurrent callers share one call.
 * @internal
 */
export class AuthorizationServerMetadataSource {
  private metadata?: AuthorizationServerMetadata;
  private pending?: Promise<AuthorizationServerMetadata>;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs: number,
  ) {}

  /** The metadata URL: the issuer without its trailing slash, then the well-known path. */
  get url(): string {
    return `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  }

  get(): Promise<AuthorizationServerMetadata> {
    if (this.metadata) return Promise.resolve(this.metadata);
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<AuthorizationServerMetadata> {
    const body = await fetchJson(this.url, { timeoutMs: this.timeoutMs, what: 'discovery' });
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AuthorizationServerUnavailableError('discovery: not a JSON object', 'discovery_garbage');
    }
    const metadata = body as Record<string, unknown>;
    // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for
    if (metadata.issuer !== this.issuer) {
      throw new AuthorizationServerUnavailableError(
        `discovery: issuer ${JSON.stringify(metadata.issuer)} does not match the configured issuer`,
        'discovery_issuer_mismatch',
      );
    }
    this.metadata = {
      issuer: this.issuer,
      jwks_uri: typeof metadata.jwks_uri === 'string' ? metadata.jwks_uri : undefined,
      introspection_endpoint:
        typeof metadata.introspection_endpoint === 'string' ? metadata.introspection_endpoint : undefined,
    };
    return this.metadata;
  }
}
