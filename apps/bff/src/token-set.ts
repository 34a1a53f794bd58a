import type { GrantedTokens } from '../../shared/src/oidc-client.js';

/** What the BFF keeps in the server-side session; the browser never sees any of it. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Thumbprint of the DPoP key the access token is bound to (its `cnf.jkt`); undefined for a bearer token. */
  readonly dpopJkt?: string;
}

/** The user as shown on the page: id token claims for display only. */
export interface DisplayUser {
  readonly sub: string;
  readonly name?: string;
  readonly email?: string;
}

/** The session's fields. */
export interface BffSessionData {
  tokens?: TokenSet;
  user?: DisplayUser;
  /** PKCE verifier, state and nonce of a login in progress, and when it began (ms since the epoch). */
  login?: { verifier: string; state: string; nonce: string; startedAt?: number };
}

/** The session's tokens from a grant; a refresh that returns no new refresh or id token keeps the old ones. */
export function toTokenSet(granted: GrantedTokens, now: number, previous?: TokenSet): TokenSet {
  return {
    accessToken: granted.accessToken,
    refreshToken: granted.refreshToken ?? previous?.refreshToken,
    idToken: granted.idToken ?? previous?.idToken,
    expiresAt: now + (granted.expiresInSeconds ?? 60) * 1000,
    dpopJkt: granted.dpopJkt,
  };
}

/** Who logged in, from the id token's claims (display only). */
export function displayUser(claims: Readonly<Record<string, unknown>> | undefined): DisplayUser {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { sub: String(claims?.sub ?? ''), name: text(claims?.name), email: text(claims?.email) };
}
