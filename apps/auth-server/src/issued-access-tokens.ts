import { verify, type KeyObject } from 'node:crypto';
import type { Provider, TokenModel } from 'oidc-provider';

/** The key access tokens are signed with (the provider's only key). */
export interface SigningKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
}

/**
 * The JWT access tokens this server issued, and the check that one is still good.
 *
 * oidc-provider stores nothing for a JWT access token (it is self-contained) and refuses to
 * introspect one (`unsupported_token_type`), so on its own it could not tell a resource server
 * that a token's grant was revoked. This keeps each token's grant id (from the
 * `access_token.issued` event) until the token expires, so that introspection and userinfo
 * answer "inactive" once the grant is gone: after logout, or after a refresh token was
 * replayed. A restart forgets everything, and the new signing key voids the old tokens anyway.
 */
export class IssuedAccessTokens {
  private readonly issued = new Map<string, { grantId?: string; expiresAt: number }>();

  constructor(
    private readonly provider: Provider,
    private readonly key: SigningKey,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    provider.on('access_token.issued', (token) => this.remember(token));
  }

  /**
   * The claims of `token` when it is a live access token of this server: our signature and
   * `kid`, `typ` `at+jwt`, our `iss`, `exp` in the future, and a grant that still exists.
   * @returns undefined for anything else (never throws for a bad token).
   */
  async verify(token: string): Promise<Record<string, unknown> | undefined> {
    const claims = this.verifySignature(token);
    if (!claims || claims.iss !== this.provider.issuer) return undefined;
    if (typeof claims.exp !== 'number' || claims.exp <= this.nowSeconds()) return undefined;
    const record = typeof claims.jti === 'string' ? this.issued.get(claims.jti) : undefined;
    if (!record) return undefined;
    if (record.grantId) {
      const grant = await this.provider.Grant.find(record.grantId);
      if (!grant || grant.isExpired) return undefined;
    }
    return claims;
  }

  private remember(token: TokenModel): void {
    const now = this.nowSeconds();
    // insertion order is expiry order (one TTL for all), so expired entries sit at the front
    for (const [jti, record] of this.issued) {
      if (record.expiresAt > now) break;
      this.issued.delete(jti);
    }
    this.issued.set(token.jti, { grantId: token.grantId, expiresAt: now + token.expiration });
  }

  private verifySignature(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [encodedHeader, encodedPayload, signature] = parts as [string, string, string];
    const header = parseJsonObject(encodedHeader);
    if (header?.alg !== 'RS256' || header.kid !== this.key.kid || header.typ !== 'at+jwt') return undefined;
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    if (!verify('sha256', signed, this.key.publicKey, Buffer.from(signature, 'base64url'))) return undefined;
    return parseJsonObject(encodedPayload);
  }
}

/** True when `token` has the shape of a JWS in compact form (three base64url segments). */
export function looksLikeJws(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
