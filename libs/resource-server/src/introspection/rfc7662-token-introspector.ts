import { Logger } from '@nestjs/common';
import { Pool, type Dispatcher } from 'undici';
import type { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import type { IntrospectionResponse, TokenIntrospector } from './token-introspector.js';

const MAX_BODY_BYTES = 256 * 1024;

/** How the API calls the introspection endpoint. */
export interface Rfc7662ClientPolicy {
  /** The endpoint; when absent, `introspection_endpoint` from discovery. */
  readonly endpoint?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** How the credentials are sent (RFC 6749 §2.3.1). */
  readonly clientAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

/** Where calls go: the endpoint as configured or discovered, parsed, with its pool. */
interface Target {
  readonly endpoint: string;
  readonly origin: string;
  readonly path: string;
  readonly pool: Pool;
}

/**
 * The RFC 7662 client: POSTs the token with `token_type_hint=access_token`, authenticated
 * as the API (`client_secret_basic` or `client_secret_post`), over a keep-alive undici
 * Pool (several times faster per call than the global `fetch`), within a time limit.
 * Anything but a 200 with a JSON object holding a boolean `active` is the authorization
 * server's failure: `AuthorizationServerUnavailableError`, never the token's.
 */
export class Rfc7662TokenIntrospector implements TokenIntrospector {
  private readonly logger = new Logger('ResourceServer');
  private target?: Target;
  // the same for every call: built once, not per request
  private readonly headers: Readonly<Record<string, string>>;
  /** The form after the token: the hint, and the client's credentials for `client_secret_post`. */
  private readonly formTail: string;

  constructor(
    private readonly options: Rfc7662ClientPolicy,
    private readonly discovery: AuthorizationServerMetadataSource,
    private readonly timeoutMs: number,
  ) {
    this.formTail =
      '&token_type_hint=access_token' +
      (options.clientAuthMethod === 'client_secret_post'
        ? `&client_id=${formEncode(options.clientId)}&client_secret=${formEncode(options.clientSecret)}`
        : '');
    this.headers = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(options.clientAuthMethod === 'client_secret_post'
        ? {}
        : { authorization: basicCredentials(options.clientId, options.clientSecret) }),
    };
  }

  async introspect(token: string): Promise<IntrospectionResponse> {
    const target = this.targetFor(this.options.endpoint ?? (await this.discoveredEndpoint()));
    const { statusCode, body } = await post(
      target.pool,
      { method: 'POST', path: target.path, headers: this.headers, body: `token=${formEncode(token)}${this.formTail}` },
      this.timeoutMs,
    );
    if (statusCode === 401 || statusCode === 403) {
      throw new AuthorizationServerUnavailableError(
        `introspection: HTTP ${statusCode}, the API's own client credentials were refused`,
        'introspection_credentials_refused',
      );
    }
    if (statusCode !== 200) {
      throw new AuthorizationServerUnavailableError(
        `introspection: HTTP ${statusCode}`,
        `introspection_http_${statusCode}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (cause) {
      throw new AuthorizationServerUnavailableError('introspection: body is not JSON', 'introspection_garbage', {
        cause,
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AuthorizationServerUnavailableError(
        'introspection: body is not a JSON object',
        'introspection_garbage',
      );
    }
    if (typeof (parsed as { active?: unknown }).active !== 'boolean') {
      throw new AuthorizationServerUnavailableError('introspection: no boolean "active"', 'introspection_garbage');
    }
    return parsed as IntrospectionResponse;
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.target?.pool.close();
  }

  private async discoveredEndpoint(): Promise<string> {
    const metadata = await this.discovery.get();
    if (!metadata.introspection_endpoint) {
      throw new AuthorizationServerUnavailableError(
        'discovery: no introspection_endpoint',
        'discovery_no_introspection',
      );
    }
    return metadata.introspection_endpoint;
  }

  /** The endpoint parsed once, and a pool per origin (a discovered endpoint may change). */
  private targetFor(endpoint: string): Target {
    if (this.target?.endpoint === endpoint) return this.target;
    const url = new URL(endpoint);
    const previous = this.target?.pool;
    const pool =
      previous && this.target?.origin === url.origin
        ? previous
        : new Pool(url.origin, { connections: 32, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    if (previous && previous !== pool) {
      previous.close().catch((error) => this.logger.warn(`closing introspection pool: ${error}`));
    }
    this.target = { endpoint, origin: url.origin, path: url.pathname + url.search, pool };
    return this.target;
  }
}

/** RFC 6749 §2.3.1: each part form-urlencoded, then Base64. */
function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

/** `application/x-www-form-urlencoded` (a space is `+`). */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

interface Answer {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * One request over the pool, its whole answer collected as text, within `timeoutMs` from
 * the call (waiting for a connection included). undici's `dispatch()` with a handler of
 * our own: `request()` with an `AbortSignal.timeout()` costs twice the CPU per call
 * (docs/benchmarks.md), for the signal and the body stream.
 * @throws AuthorizationServerUnavailableError refused, reset, timed out, or a body over the limit
 */
function post(pool: Pool, options: Dispatcher.DispatchOptions, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const handler = new CollectingHandler(resolve, reject, timeoutMs);
    try {
      pool.dispatch(options, handler);
    } catch (cause) {
      handler.fail(unreachable(cause));
    }
  });
}

class CollectingHandler implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private controller?: Dispatcher.DispatchController;
  private settled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: AuthorizationServerUnavailableError) => void,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(
      () => this.fail(new AuthorizationServerUnavailableError('introspection: timed out', 'introspection_unreachable')),
      timeoutMs,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) controller.abort(new Error('introspection: timed out'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.statusCode = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > MAX_BODY_BYTES) {
      this.fail(
        new AuthorizationServerUnavailableError(
          `introspection: body over ${MAX_BODY_BYTES} bytes`,
          'introspection_too_large',
        ),
      );
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve({ statusCode: this.statusCode, body: Buffer.concat(this.chunks, this.size).toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(unreachable(error));
  }

  /** Settles with `error` (once) and drops the request. */
  fail(error: AuthorizationServerUnavailableError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
    if (this.controller && !this.controller.aborted) this.controller.abort(error);
  }
}

function unreachable(cause: unknown): AuthorizationServerUnavailableError {
  return new AuthorizationServerUnavailableError(
    `introspection: ${String((cause as Error)?.message ?? cause)}`,
    'introspection_unreachable',
    { cause },
  );
}
