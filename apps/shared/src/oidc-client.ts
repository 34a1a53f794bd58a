import * as client from 'openid-client';
import type { OidcClientSettings } from './oidc-client-settings.js';

/** The client's registration at the authorization server. */
export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly scopes: string;
  /**
   * The key pair that sender-constrains this client's tokens with DPoP (RFC 9449): the code
   * exchange and refresh carry a proof by it, and {@link OidcClient.fetchProtectedResource} signs
   * a proof per call. Unset: plain bearer tokens.
   */
  readonly dpopKeyPair?: client.CryptoKeyPair;
}

/** What a grant returned. */
export interface GrantedTokens {
  readonly accessToken: string;
  readonly expiresInSeconds?: number;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** The id token's claims, checked by openid-client: for display, never for authorization. */
  readonly idTokenClaims?: Readonly<Record<string, unknown>>;
  /**
   * RFC 7638 thumbprint of the DPoP key the access token is bound to (`cnf.jkt`), when the
   * provider answered `token_type: DPoP`; undefined for a bearer token.
   */
  readonly dpopJkt?: string;
}

/** What `/callback` needs to finish a login: kept (sealed or server-side) until then. */
export interface LoginInProgress {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

/** The authorization server could not be reached or failed (5xx, garbage): not the user's fault. */
export class ProviderUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super('authorization server unavailable', options);
    this.name = new.target.name;
  }
}

/** The authorization server refused, or its answer failed a check (state, nonce, id token). */
export class GrantRejectedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The Authorization Code + PKCE client (openid-client): discovery on first use (retried after
 * a failure, so a down authorization server never blocks start-up), the login URL, the code
 * exchange with state, nonce and id token checks, refresh, and RP-initiated logout; with a
 * DPoP key, tokens bound to it and API calls that prove it (RFC 9449).
 * Every failure of a grant is a {@link ProviderUnavailableError} or a {@link GrantRejectedError}.
 */
export class OidcClient {
  private configuration?: Promise<client.Configuration>;
  private resourceServerConfiguration?: client.Configuration;
  // one handle per process: it keeps the servers' DPoP nonces, per origin, for every session
  private dpopHandle?: client.DPoPHandle;

  constructor(private readonly options: OidcClientOptions) {}

  /**
   * The client of a sample login app (web, bff) served at `origin`: its settings from the
   * environment, `<origin>/callback` for the code and `<origin>/` after logout.
   */
  static forApp(settings: OidcClientSettings, origin: string, dpopKeyPair?: client.CryptoKeyPair): OidcClient {
    return new OidcClient({
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      redirectUri: `${origin}/callback`,
      postLogoutRedirectUri: `${origin}/`,
      scopes: settings.scopes,
      dpopKeyPair,
    });
  }

  /** A new login: where to send the browser, and what to keep for the callback. */
  async startLogin(): Promise<{ url: string; login: LoginInProgress }> {
    const config = await this.config();
    const login = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: this.options.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    return { url: url.href, login };
  }

  /**
   * Exchanges the code in `callbackUrl`; openid-client checks state, PKCE, nonce and the id token.
   * With a DPoP key, the request carries a proof and the access token comes back bound to it.
   */
  async finishLogin(callbackUrl: URL, login: LoginInProgress): Promise<GrantedTokens> {
    const config = await this.config();
    const DPoP = this.dpop();
    return this.grant(
      () =>
        client.authorizationCodeGrant(
          config,
          callbackUrl,
          {
            pkceCodeVerifier: login.verifier,
            expectedState: login.state,
            expectedNonce: login.nonce,
            idTokenExpected: true,
          },
          undefined,
          { DPoP },
        ),
      DPoP,
    );
  }

  /**
   * The refresh token grant; the provider rotates the refresh token (the old one is spent). With
   * a DPoP key, the new access token is bound to it (a confidential client's refresh token is
   * not bound: its client authentication protects it).
   */
  async refresh(refreshToken: string): Promise<GrantedTokens> {
    const config = await this.config();
    const DPoP = this.dpop();
    return this.grant(() => client.refreshTokenGrant(config, refreshToken, undefined, { DPoP }), DPoP);
  }

  /**
   * Calls a resource server with `accessToken`: `Authorization: DPoP` and a fresh proof (`htm`,
   * `htu`, `ath`, the origin's last nonce) when `dpopBound`, `Bearer` otherwise. An answer of
   * `use_dpop_nonce` is retried once with the nonce it carried (openid-client); the nonces are
   * remembered per origin. Every answer comes back as it is, a 401 or 403 with a challenge
   * included.
   * @throws what `fetch` throws when the server cannot be reached or answers too late (10 s).
   */
  async fetchProtectedResource(
    accessToken: string,
    url: URL,
    init: { method: string; body?: string; headers?: Headers; dpopBound: boolean },
  ): Promise<Response> {
    const DPoP = init.dpopBound ? this.dpop() : undefined;
    const { method, body, headers } = init;
    try {
      return await client.fetchProtectedResource(this.resourceServers(), accessToken, url, method, body, headers, {
        DPoP,
      });
    } catch (error) {
      // openid-client turns an answer with a WWW-Authenticate challenge into an error; the caller
      // wants the answer itself (its status and body name the reason)
      if (error instanceof client.WWWAuthenticateChallengeError) return error.response;
      throw error;
    }
  }

  /**
   * The provider's end_session_endpoint with `client_id`, `post_logout_redirect_uri` and, when
   * given, `id_token_hint` (a BFF passes none: the hint would put the id token in the URL bar).
   */
  async logoutUrl(idToken?: string): Promise<string> {
    const parameters: Record<string, string> = {
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
      client_id: this.options.clientId,
    };
    if (idToken) parameters.id_token_hint = idToken;
    return client.buildEndSessionUrl(await this.config(), parameters).href;
  }

  /**
   * Revokes `token` at the provider's revocation endpoint (RFC 7009), e.g. the refresh token at
   * logout, so that it no longer refreshes even if it was copied.
   * @throws ProviderUnavailableError when the provider cannot be reached; GrantRejectedError when it refuses.
   */
  async revoke(token: string, tokenTypeHint: 'refresh_token' | 'access_token' = 'refresh_token'): Promise<void> {
    const config = await this.config();
    try {
      await client.tokenRevocation(config, token, { token_type_hint: tokenTypeHint });
    } catch (error) {
      throw classify(error);
    }
  }

  private async grant(
    call: () => Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers>,
    dpop?: client.DPoPHandle,
  ): Promise<GrantedTokens> {
    let response;
    try {
      response = await call();
    } catch (error) {
      throw classify(error);
    }
    return {
      accessToken: response.access_token,
      expiresInSeconds: response.expiresIn(),
      refreshToken: response.refresh_token,
      idToken: response.id_token,
      idTokenClaims: response.claims(),
      // the provider decides whether to bind (RFC 9449 §5): only `token_type: DPoP` says it did
      dpopJkt: dpop && response.token_type.toLowerCase() === 'dpop' ? await dpop.calculateThumbprint() : undefined,
    };
  }

  /** The DPoP handle of {@link OidcClientOptions.dpopKeyPair}, for the token endpoint and the APIs alike. */
  private dpop(): client.DPoPHandle | undefined {
    if (!this.options.dpopKeyPair) return undefined;
    this.dpopHandle ??= client.getDPoPHandle(this.resourceServers(), this.options.dpopKeyPair);
    return this.dpopHandle;
  }

  /**
   * What calls to resource servers need: no discovery (an API call never waits on the
   * authorization server), plain http allowed (APIs often sit on an internal network whatever
   * the issuer's scheme), 10 s per call.
   */
  private resourceServers(): client.Configuration {
    if (!this.resourceServerConfiguration) {
      const config = new client.Configuration({ issuer: this.options.issuer }, this.options.clientId);
      client.allowInsecureRequests(config);
      config.timeout = 10;
      this.resourceServerConfiguration = config;
    }
    return this.resourceServerConfiguration;
  }

  private async config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(new URL(this.options.issuer), this.options.clientId, this.options.clientSecret, undefined, {
        // the dev authorization server speaks plain http on localhost
        execute: new URL(this.options.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: 5,
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new ProviderUnavailableError({ cause: error });
      });
    return this.configuration;
  }
}

const UNAVAILABLE = new Set(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_TIMEOUT']);

/** Network failures, 5xx and non-OAuth answers are the provider's; everything else is a refusal. */
function classify(error: unknown): Error {
  if (error instanceof client.ResponseBodyError)
    return error.status >= 500
      ? new ProviderUnavailableError({ cause: error })
      : new GrantRejectedError(`${error.error}${error.error_description ? `: ${error.error_description}` : ''}`, {
          cause: error,
        });
  if (error instanceof client.AuthorizationResponseError)
    return new GrantRejectedError(`authorization response: ${error.error}`, { cause: error });
  // fetch failed (connection refused, DNS, reset) is a TypeError
  if (error instanceof TypeError || (error instanceof client.ClientError && UNAVAILABLE.has(error.code ?? '')))
    return new ProviderUnavailableError({ cause: error });
  return new GrantRejectedError(error instanceof Error ? error.message : String(error), { cause: error });
}
