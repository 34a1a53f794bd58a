/** What the BFF keeps in the server-side session; the browser never sees any of it. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
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
  /** PKCE verifier, state and nonce of a login in progress. */
  login?: { verifier: string; state: string; nonce: string };
}
