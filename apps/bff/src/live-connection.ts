import { Logger } from '@nestjs/common';
import type { Request } from 'express';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { ProviderUnavailableError } from '../../shared/src/oidc-client.js';
import { SessionExpiredError, type SessionTokens } from './session-tokens.js';
import type { TokenSet } from './token-set.js';
import type { UpstreamHandshake } from './upstream-handshake.js';

/**
 * Close codes of the BFF's `/live` (RFC 6455 §7.4). The close reason says why, in the
 * contract's words where there are some.
 */
export const LIVE_CLOSE_CODES = {
  /**
   * Log in again: todo-api refused the session's token for another reason than expiry (the
   * reason is the API's, e.g. `signature_invalid`), the refresh failed (`refresh_failed`), the
   * session is gone (`session_ended`) or logged out (`logged_out`).
   */
  loginRequired: 4401,
  /** todo-api or the authorization server cannot be reached now: try again later. */
  tryAgainLater: 1013,
  /** The BFF is shutting down. */
  goingAway: 1001,
  /** Anything else (a bug, or todo-api refusing the BFF's own proof). */
  internalError: 1011,
} as const;

/** The events relayed to the page; anything else from todo-api (an `exception` frame) stays here. */
const RELAYED_EVENTS = new Set(['todos', 'todo.created', 'todo.deleted']);
/** Refusals that are the BFF's proof's fault, not the token's: no reason to log the user out. */
const PROOF_REASONS = new Set(['dpop_proof_invalid', 'dpop_nonce_required']);
const TODOS_REQUEST = JSON.stringify({ event: 'todos' });
const UPSTREAM_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * One page's `/live` socket and its upstream socket to todo-api's `/live`, which carries the
 * session's token (see {@link UpstreamHandshake}). todo-api's `todos`, `todo.created` and
 * `todo.deleted` frames go to the page; from the page only a `todos` request goes upstream.
 * Each time the upstream socket opens, the BFF asks for `todos`, so the page's list is whole
 * again after a reconnect. When todo-api closes with 4401 `token_expired` (or refuses a
 * handshake as `token_expired`), the session's tokens are renewed and the upstream socket opened
 * again, once, while the page's socket stays open; any other end closes the page's socket with a
 * {@link LIVE_CLOSE_CODES} code.
 */
export class LiveConnection {
  private readonly logger = new Logger('Bff');
  private upstream?: WebSocket;
  /** A renewal since the upstream socket last opened: a second expiry in a row ends the relay. */
  private renewed = false;
  private ended = false;
  /** Whether the page answered the last ping. */
  private alive = true;

  constructor(
    private readonly page: WebSocket,
    private readonly request: Request & IncomingMessage,
    private readonly upstreamUrl: URL,
    private readonly tokens: SessionTokens,
    private readonly handshake: UpstreamHandshake,
    private readonly onEnd: () => void,
  ) {
    page.on('pong', () => (this.alive = true));
    page.on('message', (data, isBinary) => this.fromPage(data, isBinary));
    page.on('close', () => this.stop());
    page.on('error', () => page.terminate());
  }

  /** Opens the upstream socket with the session's tokens (refreshed first when about to expire). */
  async start(): Promise<void> {
    try {
      await this.connect(await this.tokens.usable(this.request));
    } catch (error) {
      await this.failed(error);
    }
  }

  /** The heartbeat: a page that did not answer the last ping is gone without a close; it is dropped. */
  ping(): void {
    if (!this.alive) return this.page.terminate();
    this.alive = false;
    if (this.page.readyState === WebSocket.OPEN) this.page.ping();
  }

  /** Closes the page's socket with `code` and `reason` and the upstream socket with it. */
  end(code: number, reason: string): void {
    if (this.ended) return;
    this.stop();
    this.page.close(code, reason.slice(0, 120)); // a close reason fits in 123 bytes (RFC 6455 §5.5)
  }

  private async connect(tokens: TokenSet | undefined): Promise<void> {
    if (!tokens) return this.end(LIVE_CLOSE_CODES.loginRequired, 'session_ended');
    const headers = await this.handshake.headersFor(this.upstreamUrl, tokens);
    if (this.ended) return;
    const url = new URL(this.upstreamUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const upstream = new WebSocket(url, {
      headers: { ...headers },
      handshakeTimeout: UPSTREAM_HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
      maxPayload: 1024 * 1024,
    });
    this.upstream = upstream;
    upstream.on('open', () => {
      this.renewed = false;
      upstream.send(TODOS_REQUEST);
    });
    upstream.on('message', (data, isBinary) => this.toPage(data, isBinary));
    upstream.on('unexpected-response', (upgrade, answer) => {
      if (this.upstream !== upstream) return;
      this.upstream = undefined;
      let text = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (text = (text + chunk).slice(0, 4096)));
      answer.on('end', () => {
        upgrade.destroy();
        void this.upstreamRefused(tokens, answer.statusCode ?? 0, reasonOf(text));
      });
      answer.on('error', () => this.end(LIVE_CLOSE_CODES.tryAgainLater, 'upstream_unavailable'));
    });
    upstream.on('error', () => {
      if (this.upstream !== upstream) return;
      this.upstream = undefined;
      upstream.terminate();
      this.end(LIVE_CLOSE_CODES.tryAgainLater, 'upstream_unavailable');
    });
    upstream.on('close', (code, reason) => {
      if (this.upstream !== upstream) return;
      this.upstream = undefined;
      void this.upstreamClosed(tokens, code, reason.toString());
    });
  }

  /** todo-api answered the handshake with an HTTP refusal (the library's: status and `reason`). */
  private async upstreamRefused(tokens: TokenSet, status: number, reason: string | undefined): Promise<void> {
    if (status === 401 && reason === 'token_expired' && !this.renewed) return this.renewAndConnect(tokens);
    if (status === 401 && !PROOF_REASONS.has(reason ?? ''))
      return this.loginRequired(reason ?? 'unknown', { forget: true });
    if (status >= 500) return this.end(LIVE_CLOSE_CODES.tryAgainLater, 'upstream_unavailable');
    this.logger.warn(`todo-api refused the live handshake: ${status} ${reason ?? ''}`);
    this.end(LIVE_CLOSE_CODES.internalError, 'upstream_refused');
  }

  /** todo-api closed an open socket: 4401 when the token expired (or was refused since). */
  private async upstreamClosed(tokens: TokenSet, code: number, reason: string): Promise<void> {
    if (this.ended) return;
    if (code === 4401 && reason === 'token_expired' && !this.renewed) return this.renewAndConnect(tokens);
    if (code === 4401) return this.loginRequired(reason || 'unknown', { forget: true });
    this.end(LIVE_CLOSE_CODES.tryAgainLater, 'upstream_closed');
  }

  private async renewAndConnect(stale: TokenSet): Promise<void> {
    this.renewed = true;
    try {
      await this.connect(await this.tokens.renewed(this.request, stale));
    } catch (error) {
      await this.failed(error);
    }
  }

  private async failed(error: unknown): Promise<void> {
    if (error instanceof SessionExpiredError)
      // a session that is gone stays gone: saving it without tokens would bring it back
      return this.loginRequired(error.reason, { forget: error.reason !== 'session_ended' });
    if (error instanceof ProviderUnavailableError)
      return this.end(LIVE_CLOSE_CODES.tryAgainLater, 'temporarily_unavailable');
    this.logger.error(
      `live relay failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
    this.end(LIVE_CLOSE_CODES.internalError, 'internal_error');
  }

  /** The session's tokens are no good any more: forgotten (as an API call would), and the page told to log in. */
  private async loginRequired(reason: string, { forget }: { forget: boolean }): Promise<void> {
    if (forget) {
      try {
        await this.tokens.forget(this.request);
      } catch (error) {
        this.logger.warn(`live relay: the session's tokens were not forgotten: ${(error as Error).message}`);
      }
    }
    this.end(LIVE_CLOSE_CODES.loginRequired, reason);
  }

  private toPage(data: RawData, isBinary: boolean): void {
    if (isBinary || this.page.readyState !== WebSocket.OPEN) return;
    let frame: { event?: unknown; data?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return;
    }
    if (typeof frame.event === 'string' && RELAYED_EVENTS.has(frame.event))
      this.page.send(JSON.stringify({ event: frame.event, data: frame.data }));
  }

  /** The page may ask for the list again (`{"event":"todos"}`); nothing else it sends goes anywhere. */
  private fromPage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let frame: { event?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      return;
    }
    if (frame.event === 'todos' && this.upstream?.readyState === WebSocket.OPEN) this.upstream.send(TODOS_REQUEST);
  }

  /** The page's socket is gone (or going): the upstream one goes too. */
  private stop(): void {
    if (this.ended) return;
    this.ended = true;
    const upstream = this.upstream;
    this.upstream = undefined;
    if (upstream?.readyState === WebSocket.OPEN) upstream.close(1000);
    else upstream?.terminate();
    this.onEnd();
  }
}

/** The `reason` of a refusal's JSON body (the operator contract's list), if any. */
function reasonOf(text: string): string | undefined {
  try {
    const reason = (JSON.parse(text) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' ? reason : undefined;
  } catch {
    return undefined;
  }
}
