import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { ProviderUnavailableError, type OidcClient } from '../../shared/src/oidc-client.js';
import type { RefreshCoordinator } from './refresh-coordinator.js';
import { reloadTokens, saveSession } from './session.js';
import { toTokenSet, type TokenSet } from './token-set.js';

/** An API's answer as relayed to the page: status and JSON body, never a token. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

// refresh a little before expiry, so a token never expires on its way to the API
const EXPIRY_MARGIN_MS = 5_000;

/**
 * Calls todo-api and help-api with the session's access token, refreshing it through the
 * {@link RefreshCoordinator} when it is about to expire or an API answers 401 with
 * `reason: "token_expired"` (once per call); any other 401 ends the session's tokens and
 * answers the page 401 `login_required` with the API's reason.
 *
 * A DPoP-bound token (RFC 9449) goes out as `Authorization: DPoP` with a fresh proof by the
 * BFF's key per request; a token bound to another key (`BFF_DPOP_KEY` rotated, or DPoP turned
 * off) is refreshed first, which binds the new token to the key this BFF holds now.
 */
export class ApiClient {
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

  async call(request: Request, url: string, init: { method: string; body?: unknown }): Promise<ApiAnswer> {
    let tokens = request.session.tokens;
    if (!tokens) return { status: 401, body: { statusCode: 401, error: 'not_logged_in', login: '/login' } };
    try {
      if (tokens.expiresAt - EXPIRY_MARGIN_MS <= this.clock() || this.boundElsewhere(tokens))
        tokens = await this.refreshed(request, tokens);
      let answer = await this.send(url, init, tokens);
      // only an expired token is answered by refreshing (the contract's `reason`); any other 401
      // (a bad signature, a wrong audience, a revoked grant) means the user must log in again
      if (answer.status === 401 && reasonOf(answer.body) === 'token_expired') {
        tokens = await this.refreshed(request, tokens);
        answer = await this.send(url, init, tokens);
      }
      if (answer.status === 401) return await this.loginRequired(request, reasonOf(answer.body) ?? 'unknown');
      return answer;
    } catch (error) {
      if (error instanceof SessionExpiredError) return await this.loginRequired(request, 'refresh_failed');
      if (error instanceof ProviderUnavailableError) {
        return { status: 503, body: { statusCode: 503, error: 'temporarily_unavailable' } };
      }
      throw error;
    }
  }

  /**
   * True when the token is bound to a key this BFF does not hold. The refresh token of a
   * confidential client is not bound (oidc-provider binds it for public clients only), so a
   * refresh gets a token for the current key; a bearer token stays as it is until it expires.
   */
  private boundElsewhere(tokens: TokenSet): boolean {
    return tokens.dpopJkt !== undefined && tokens.dpopJkt !== this.dpopJkt;
  }

  /** Forgets the session's tokens: the page is told to log in again, with the API's reason. */
  private async loginRequired(request: Request, reason: string): Promise<ApiAnswer> {
    delete request.session.tokens;
    delete request.session.user;
    await saveSession(request);
    return { status: 401, body: { statusCode: 401, error: 'login_required', reason, login: '/login' } };
  }

  private async refreshed(request: Request, current: TokenSet): Promise<TokenSet> {
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

  private async send(url: string, init: { method: string; body?: unknown }, tokens: TokenSet): Promise<ApiAnswer> {
    let response: Response;
    try {
      response = await this.oidc.fetchProtectedResource(tokens.accessToken, new URL(url), {
        method: init.method,
        headers: new Headers(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        dpopBound: tokens.dpopJkt !== undefined,
      });
    } catch (error) {
      this.logger.warn(`API call failed: ${(error as Error).message}`);
      return { status: 502, body: { statusCode: 502, error: 'bad_gateway' } };
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = { error: 'upstream answered non-JSON' };
    }
    return { status: response.status, body };
  }
}

/** The `reason` of an API's JSON error body (the operator contract's list), if any. */
function reasonOf(body: unknown): string | undefined {
  const reason = (body as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** The refresh token no longer works: the user must log in again. */
class SessionExpiredError extends Error {}
