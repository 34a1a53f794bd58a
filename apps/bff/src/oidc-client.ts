import * as client from 'openid-client';
import type { DisplayUser, TokenSet } from './token-set.js';

/** The client's registration at the authorization server. */
export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly scopes: string;
  /** Milliseconds since the epoch; tests set time instead of waiting. Default: `Date.now`. */
  readonly clock?: () => number;
}

/**
 * The Authorization Code + PKCE client (openid-client): discovery on first use (retried
 * after a failure, so a down authorization server never blocks start-up), the login URL,
 * the code exchange with state, nonce and id token checks, refresh, and RP-initiated logout.
 */
export class OidcClient {
  private configuration?: Promise<client.Configuration>;

  constructor(private readonly options: OidcClientOptions) {}

  /** A login in progress: where to send the browser, and what to keep for the callback. */
  async startLogin(): Promise<{ url: string; verifier: string; state: string; nonce: string }> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: this.options.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, verifier, state, nonce };
  }

  /** Exchanges the code from `callbackUrl`; openid-client checks state, nonce and the id token. */
  async finishLogin(
    callbackUrl: URL,
    login: { verifier: string; state: string; nonce: string },
  ): Promise<{ tokens: TokenSet; user: DisplayUser }> {
    const response = await client.authorizationCodeGrant(await this.config(), callbackUrl, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = response.claims()!;
    return {
      tokens: this.toTokenSet(response),
      user: { sub: claims.sub, name: stringOrUndefined(claims.name), email: stringOrUndefined(claims.email) },
    };
  }

  /** The refresh token grant; a rotated refresh token replaces the old one. */
  async refresh(tokens: TokenSet): Promise<TokenSet> {
    if (!tokens.refreshToken) throw new Error('no refresh token in the session');
    const response = await client.refreshTokenGrant(await this.config(), tokens.refreshToken);
    const refreshed = this.toTokenSet(response);
    return {
      ...refreshed,
      refreshToken: refreshed.refreshToken ?? tokens.refreshToken,
      idToken: refreshed.idToken ?? tokens.idToken,
    };
  }

  /**
   * Where to end the session at the provider (RP-Initiated Logout 1.0 §2). Identified by
   * `client_id`, not `id_token_hint`: that would put the id token in the browser's URL bar
   * and history, and the browser of a BFF never sees a token.
   */
  async logoutUrl(): Promise<string> {
    return client.buildEndSessionUrl(await this.config(), {
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
    }).href;
  }

  private toTokenSet(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): TokenSet {
    return {
      accessToken: response.access_token,
      refreshToken: response.refresh_token,
      idToken: response.id_token,
      expiresAt: (this.options.clock ?? Date.now)() + (response.expiresIn() ?? 60) * 1000,
    };
  }

  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.options.issuer), this.options.clientId, this.options.clientSecret, undefined, {
        // the dev authorization server speaks plain http on localhost
        execute: new URL(this.options.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
