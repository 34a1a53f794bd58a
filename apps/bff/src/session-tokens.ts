import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { ProviderUnavailableError, type OidcClient } from '../../shared/src/oidc-client.js';
import type { RefreshCoordinator } from './refresh-coordinator.js';
import { reloadTokens, saveSession, storedSessionTokens } from './session.js';
import { toTokenSet, type TokenSet } from './token-set.js';

// refresh a little before expiry, so a token never expires on its way to the API
const EXPIRY_MARGIN_MS = 5_000;

/** The refresh token no longer works, or the session is gone: the user must log in again. */
export class SessionExpiredError extends Error {
  constructor(readonly reason: 'refresh_failed' | 'session_ended' = 'refresh_failed') {
    super(reason);
    this.name = new.target.name;
  }
}

/**
 * The session's tokens for calls to the APIs, HTTP ({@link ApiClient}) and WebSocket (the live
 * relay) alike: refreshed through the {@link RefreshCoordinator} (one refresh per session at a
 * time, across replicas with Redis), a token bound to another DPoP key refreshed first, and
 * forgotten when an API refuses it for good.
 */
export class SessionTokens {
  private readonly logger = new Logger('Bff');
  /** Refresh grants made by this instance (for tests and metrics). */
  refreshes = 0;

  constructor(
    private readonly oidc: OidcClient,
    private readonly coordinator: RefreshCoordinator,
    /** Thumbprint of the BFF's DPoP key; undefined with `BFF_DPOP=false`. */
    private readonly dpopJkt: string | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The session's tokens, ready to send: refreshed first when within 5 s of expiry or bound to
   * a key this BFF does not hold. Undefined when the session has none (not logged in).
   * @throws SessionExpiredError, ProviderUnavailableError
   */
  async usable(request: Request): Promise<TokenSet | undefined> {
    const tokens = request.session.tokens;
    if (!tokens) return undefined;
    return this.needsRefresh(tokens) ? this.refreshed(request, tokens) : tokens;
  }

  /** True when the token is about to expire, or bound to a key this BFF does not hold. */
  needsRefresh(tokens: TokenSet): boolean {
    return tokens.expiresAt - EXPIRY_MARGIN_MS <= this.clock() || this.boundElsewhere(tokens);
  }

  /**
   * New tokens for a session whose request was loaded long ago (a WebSocket's): the store is
   * read first, since another request of the session may have refreshed meanwhile (its refresh
   * token rotated, the one in hand is spent), and only tokens still like `stale` are refreshed.
   * @throws SessionExpiredError (`session_ended` when the session is gone: logged out), ProviderUnavailableError
   */
  async renewed(request: Request, stale: TokenSet): Promise<TokenSet> {
    const stored = await storedSessionTokens(request);
    if (stored === null || stored.tokens === undefined) throw new SessionExpiredError('session_ended');
    request.session.tokens = stored.tokens;
    if (stored.tokens.accessToken !== stale.accessToken && !this.needsRefresh(stored.tokens)) return stored.tokens;
    return this.refreshed(request, stored.tokens);
  }

  /**
   * One refresh for the session (shared with its other requests), saved to the store.
   * @throws SessionExpiredError, ProviderUnavailableError
   */
  async refreshed(request: Request, current: TokenSet): Promise<TokenSet> {
    const tokens = await this.coordinator.run(
      request.sessionID,
      current,
      async () => {
        this.refreshes++;
        if (!current.refreshToken) throw new SessionExpiredError();
        let next: TokenSet;
        try {
          next = toTokenSet(await this.oidc.refresh(current.refreshToken), this.clock(), current);
        } catch (error) {
          this.logger.warn(`refresh failed: ${(error as Error).message}`);
          // an unreachable provider is not the user's fault: keep the session, answer 503
          if (error instanceof ProviderUnavailableError) throw error;
          throw new SessionExpiredError();
        }
        request.session.tokens = next;
        await saveSession(request);
        return next;
      },
      () => reloadTokens(request),
    );
    // every request that waited carries the new tokens, so none saves the old ones back
    request.session.tokens = tokens;
    return tokens;
  }

  /** Forgets the session's tokens (an API refused them for good): the user logs in again. */
  async forget(request: Request): Promise<void> {
    delete request.session.tokens;
    delete request.session.user;
    await saveSession(request);
  }

  /**
   * True when the token is bound to a key this BFF does not hold. The refresh token of a
   * confidential client is not bound (oidc-provider binds it for public clients only), so a
   * refresh gets a token for the current key; a bearer token stays as it is until it expires.
   */
  private boundElsewhere(tokens: TokenSet): boolean {
    return tokens.dpopJkt !== undefined && tokens.dpopJkt !== this.dpopJkt;
  }
}
