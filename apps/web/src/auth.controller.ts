import { Controller, Get, Inject, Logger, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { CookieSealer } from './cookie-sealer.js';
import { ProviderUnavailableError, type LoginInProgress, type OidcClient } from '../../shared/src/oidc-client.js';
import { SameOriginGuard } from './same-origin.guard.js';
import { stepUpRequest, withStepUp } from './step-up-request.js';
import {
  ID_TOKEN_COOKIE,
  LOGIN_COOKIE,
  LOGIN_MAX_AGE_SECONDS,
  REFRESH_TOKEN_COOKIE,
  loginCookieOptions,
  parseCookies,
  tokenCookies,
  tokenCookiesToClear,
  type TokenCookieValues,
} from './token-cookies.js';
import type { WebConfig } from './web-config.js';
import { COOKIE_SEALER, OIDC_CLIENT, WEB_CONFIG } from './web.tokens.js';

/**
 * Login, callback, refresh and logout. The tokens end up in cookies the APIs read (`app.at`)
 * or only this host receives (`__Host-app.rt`); the page's JavaScript can read neither.
 */
@Controller()
export class AuthController {
  private readonly logger = new Logger('Web');

  constructor(
    @Inject(OIDC_CLIENT) private readonly oidc: OidcClient,
    @Inject(COOKIE_SEALER) private readonly sealer: CookieSealer,
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
  ) {}

  /**
   * Starts Authorization Code + PKCE: verifier, state and nonce go into the sealed
   * `__Host-app.login` cookie, which binds the login to this browser: no other host can plant
   * one, and a code obtained elsewhere fails the state and PKCE checks against it.
   * `?acr_values=mfa&max_age=<seconds>` (a step-up, RFC 9470: the page copies them from an
   * API's `insufficient_user_authentication` challenge) go on to the authorization request;
   * any other value of either is a 400.
   */
  @Get('login')
  async login(@Req() request: Request, @Res() response: Response): Promise<void> {
    const stepUp = stepUpRequest(request.query);
    if ('problem' in stepUp) return this.page(response, 400, 'This login request is not valid.', stepUp.problem);
    let started;
    try {
      started = await this.oidc.startLogin();
    } catch (error) {
      return this.page(response, 503, 'The authorization server is unavailable. Try again in a moment.', error);
    }
    const sealed = this.sealer.seal(LOGIN_COOKIE, started.login, LOGIN_MAX_AGE_SECONDS);
    response.cookie(LOGIN_COOKIE, sealed, loginCookieOptions(LOGIN_MAX_AGE_SECONDS));
    response.redirect(withStepUp(started.url, stepUp));
  }

  /** Where the provider sends the browser back: state, code exchange, id token, then the cookies. */
  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const login = asLogin(this.sealer.open(LOGIN_COOKIE, parseCookies(request.headers.cookie).get(LOGIN_COOKIE)));
    response.clearCookie(LOGIN_COOKIE, loginCookieOptions()); // a login cookie serves one callback
    if (!login) return this.page(response, 400, 'No login in progress here, or it took longer than 10 minutes.');
    let tokens;
    try {
      tokens = await this.oidc.finishLogin(new URL(request.originalUrl, this.config.origin), login);
    } catch (error) {
      if (error instanceof ProviderUnavailableError)
        return this.page(response, 503, 'The authorization server is unavailable. Try again in a moment.', error);
      return this.page(response, 400, 'The login did not succeed.', error);
    }
    this.setTokenCookies(response, tokens);
    response.redirect('/');
  }

  /**
   * New tokens for the refresh token in `__Host-app.rt` (rotated by the provider). 204 with new
   * cookies; 401 and cleared cookies when there is no usable refresh token; 503 (cookies
   * kept) when the provider is unreachable. Origin-checked (CSRF).
   */
  @Post('refresh')
  @UseGuards(SameOriginGuard)
  async refresh(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.setHeader('cache-control', 'no-store');
    const cookies = parseCookies(request.headers.cookie);
    const refreshToken = cookies.get(REFRESH_TOKEN_COOKIE);
    if (!refreshToken) {
      this.clearTokenCookies(response);
      response.status(401).json({ statusCode: 401, error: 'login_required', message: 'no refresh token' });
      return;
    }
    let tokens: TokenCookieValues;
    try {
      tokens = await this.oidc.refresh(refreshToken);
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        this.logger.warn(`refresh failed: ${describe(error)}`);
        response.status(503).json({ statusCode: 503, error: 'temporarily_unavailable' });
        return;
      }
      this.logger.log(`refresh refused: ${describe(error)}`);
      this.clearTokenCookies(response);
      response.status(401).json({ statusCode: 401, error: 'login_required', message: 'the refresh token was refused' });
      return;
    }
    this.setTokenCookies(response, {
      ...tokens,
      // a provider that does not rotate, or sends no new id token, keeps the current ones valid
      refreshToken: tokens.refreshToken ?? refreshToken,
      idToken: tokens.idToken ?? cookies.get(ID_TOKEN_COOKIE),
    });
    response.status(204).end();
  }

  /**
   * Revokes the refresh token at the provider (RFC 7009, which ends the grant), clears the
   * cookies, then RP-initiated logout at the provider with `id_token_hint`. Origin-checked (CSRF).
   */
  @Post('logout')
  @UseGuards(SameOriginGuard)
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    const cookies = parseCookies(request.headers.cookie);
    const idToken = cookies.get(ID_TOKEN_COOKIE);
    const refreshToken = cookies.get(REFRESH_TOKEN_COOKIE);
    this.clearTokenCookies(response);
    if (refreshToken) {
      try {
        await this.oidc.revoke(refreshToken);
      } catch (error) {
        // the cookies are gone all the same; the grant then ends with the provider's session
        this.logger.warn(`refresh token revocation failed: ${describe(error)}`);
      }
    }
    let url = '/';
    try {
      url = await this.oidc.logoutUrl(idToken);
    } catch (error) {
      // the provider is down: the local logout still happened
      this.logger.warn(`logout at the provider skipped: ${describe(error)}`);
    }
    response.redirect(303, url);
  }

  private setTokenCookies(response: Response, tokens: TokenCookieValues): void {
    for (const { name, value, options } of tokenCookies(tokens, this.config.cookieDomain))
      response.cookie(name, value, options);
  }

  private clearTokenCookies(response: Response): void {
    for (const { name, options } of tokenCookiesToClear(this.config.cookieDomain)) response.clearCookie(name, options);
  }

  /** A small HTML answer for a browser navigation that went wrong; details stay in the log. */
  private page(response: Response, status: number, message: string, error?: unknown): void {
    if (error !== undefined) this.logger.warn(`${message} ${describe(error)}`);
    response
      .status(status)
      .type('html')
      .setHeader('cache-control', 'no-store')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Login</title><p>${message}</p><p><a href="/login">Log in again</a> · <a href="/">Home</a></p>`,
      );
  }
}

function asLogin(value: unknown): LoginInProgress | undefined {
  const login = value as Partial<LoginInProgress> | undefined;
  return typeof login?.verifier === 'string' && typeof login.state === 'string' && typeof login.nonce === 'string'
    ? (login as LoginInProgress)
    : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
