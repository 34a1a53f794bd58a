import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Logger,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { BFF_CONFIG, CLOCK, LIVE_RELAY, OIDC_CLIENT } from './bff.tokens.js';
import type { LiveRelay } from './live-relay.js';
import type { BffConfig } from './bff-config.js';
import type { OidcClient } from '../../shared/src/oidc-client.js';
import { destroySession, regenerateSession, saveSession, SESSION_COOKIE } from './session.js';
import { displayUser, toTokenSet, type DisplayUser } from './token-set.js';

/** How long a login may take from `/login` to `/callback`: 10 minutes (the provider's interaction lifetime). */
const LOGIN_MAX_AGE_MS = 10 * 60_000;

/** Login, callback, logout: the tokens go into the server-side session, never to the browser. */
@Controller()
export class AuthController {
  private readonly logger = new Logger('Bff');

  constructor(
    @Inject(OIDC_CLIENT) private readonly oidc: OidcClient,
    @Inject(BFF_CONFIG) private readonly config: BffConfig,
    @Inject(CLOCK) private readonly clock: () => number,
    @Inject(LIVE_RELAY) private readonly live: LiveRelay,
  ) {}

  @Get('login')
  async login(@Req() request: Request, @Res() response: Response): Promise<void> {
    const { url, login } = await this.oidc.startLogin();
    request.session.login = { ...login, startedAt: this.clock() };
    await saveSession(request);
    response.redirect(url);
  }

  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    const login = request.session.login;
    if (!login) throw new BadRequestException('no login in progress');
    // one attempt per login, and a short one: a pre-login session is no use kept or replayed
    delete request.session.login;
    await saveSession(request);
    if (login.startedAt === undefined || this.clock() - login.startedAt > LOGIN_MAX_AGE_MS)
      throw new BadRequestException('login expired: start again');
    let granted;
    try {
      granted = await this.oidc.finishLogin(new URL(request.originalUrl, this.config.origin), login);
    } catch (error) {
      this.logger.warn(`login failed: ${(error as Error).message}`);
      throw new BadRequestException('login failed');
    }
    // RFC 9449 §5: binding is the provider's choice; one that ignores the proof gets bearer calls
    if (this.config.dpopKey && !granted.dpopJkt)
      this.logger.warn(
        'the authorization server did not bind the access token to the DPoP key: calling the APIs with Bearer',
      );
    await regenerateSession(request);
    request.session.tokens = toTokenSet(granted, this.clock());
    request.session.user = displayUser(granted.idTokenClaims);
    await saveSession(request);
    response.redirect('/');
  }

  /** Who is logged in, for display: from the id token's claims, never a token. */
  @Get('session')
  session(@Req() request: Request): { user: DisplayUser } {
    if (!request.session.user || !request.session.tokens)
      throw new UnauthorizedException({ statusCode: 401, error: 'not_logged_in' });
    return { user: request.session.user };
  }

  /**
   * Ends the session here and at the provider, and its live sockets (4401 `logged_out`). POST,
   * Origin-checked. The refresh token is revoked
   * first (RFC 7009), so it stops working at once, whether or not the browser goes on to the
   * provider; the provider's session is then ended by RP-initiated logout with `id_token_hint`.
   */
  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    const tokens = request.session.tokens;
    if (tokens?.refreshToken) {
      try {
        await this.oidc.revoke(tokens.refreshToken, 'refresh_token');
      } catch (error) {
        // the session ends here anyway; the provider's grant ends with its session (next step)
        this.logger.warn(`logout: refresh token not revoked: ${(error as Error).message}`);
      }
    }
    // the session's live sockets end with it (this replica's; another's end at its token's expiry)
    this.live.endSession(request.sessionID);
    await destroySession(request);
    // a __Host- cookie is only replaced (here: expired) by a Set-Cookie with the same Secure, Path=/
    response.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
    let url = '/';
    try {
      url = await this.oidc.logoutUrl(tokens?.idToken);
    } catch (error) {
      this.logger.warn(`logout: provider unreachable, its session is left as is: ${(error as Error).message}`);
    }
    response.redirect(303, url);
  }
}
