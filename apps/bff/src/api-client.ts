import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import { ProviderUnavailableError, type OidcClient } from '../../shared/src/oidc-client.js';
import { SessionExpiredError, type SessionTokens } from './session-tokens.js';
import type { TokenSet } from './token-set.js';

/** An API's answer as relayed to the page: status and JSON body, never a token. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Calls todo-api and help-api with the session's access token ({@link SessionTokens}: refreshed
 * when it is about to expire, or once when an API answers 401 with `reason: "token_expired"`);
 * any other 401 ends the session's tokens and answers the page 401 `login_required` with the
 * API's reason.
 *
 * A DPoP-bound token (RFC 9449) goes out as `Authorization: DPoP` with a fresh proof by the
 * BFF's key per request; a token bound to another key (`BFF_DPOP_KEY` rotated, or DPoP turned
 * off) is refreshed first, which binds the new token to the key this BFF holds now.
 */
export class ApiClient {
  private readonly logger = new Logger('Bff');

  constructor(
    private readonly oidc: OidcClient,
    private readonly tokens: SessionTokens,
  ) {}

  async call(request: Request, url: string, init: { method: string; body?: unknown }): Promise<ApiAnswer> {
    try {
      let tokens = await this.tokens.usable(request);
      if (!tokens) return { status: 401, body: { statusCode: 401, error: 'not_logged_in', login: '/login' } };
      let answer = await this.send(url, init, tokens);
      // only an expired token is answered by refreshing (the contract's `reason`); any other 401
      // (a bad signature, a wrong audience, a revoked grant) means the user must log in again
      if (answer.status === 401 && reasonOf(answer.body) === 'token_expired') {
        tokens = await this.tokens.refreshed(request, tokens);
        answer = await this.send(url, init, tokens);
      }
      if (answer.status === 401) return await this.loginRequired(request, reasonOf(answer.body) ?? 'unknown');
      return answer;
    } catch (error) {
      if (error instanceof SessionExpiredError) return await this.loginRequired(request, error.reason);
      if (error instanceof ProviderUnavailableError) {
        return { status: 503, body: { statusCode: 503, error: 'temporarily_unavailable' } };
      }
      throw error;
    }
  }

  /** Forgets the session's tokens: the page is told to log in again, with the API's reason. */
  private async loginRequired(request: Request, reason: string): Promise<ApiAnswer> {
    await this.tokens.forget(request);
    return { status: 401, body: { statusCode: 401, error: 'login_required', reason, login: '/login' } };
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
