import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Logger } from '@nestjs/common';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import { FORWARDING_HEADERS, forwardingHeaders } from './forwarded-for.js';
import { endToEndHeaders } from './hop-by-hop-headers.js';

/** Where and how the proxy forwards. */
export interface ForwardingOptions {
  /** The upstream API's base URL, on another site than the cookie's. */
  readonly upstream: string;
  /** Path prefix removed before forwarding (`/api/todos` → `/todos`). */
  readonly mountPath: string;
  /** Time limit for the upstream's answer, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * `PROXY_TRUST_FORWARDED`: whether the client's `X-Forwarded-*` and `Forwarded` headers are
   * believed (only behind a load balancer that sets them). Default: false, they are replaced.
   */
  readonly trustForwarded?: boolean;
}

const TIMED_OUT = Symbol('proxy.timedOut');
const ANSWERED = Symbol('proxy.answered');
const LOGGED = Symbol('proxy.logged');

type ProxiedRequest = IncomingMessage & {
  [TIMED_OUT]?: boolean;
  [ANSWERED]?: boolean;
  [LOGGED]?: boolean;
  /** Express's: the URL before http-proxy-middleware rewrote it. */
  originalUrl?: string;
};

/**
 * Forwards an already validated request upstream with `Authorization: Bearer <token>`,
 * dropping every cookie (the upstream is another site and validates the token itself).
 * Bodies stream through (http-proxy-middleware). Hop-by-hop headers, and those a `Connection`
 * header names, stop here in both directions; the client's forwarding headers are replaced
 * unless trusted. The upstream's answer passes as it is, a 413 or 401 included, even when the
 * upstream answered before reading the whole body (the rest of the client's body is then read
 * and dropped, bounded by Node's `requestTimeout`). An upstream that times out is
 * a 504, one that fails otherwise a 502; a client whose body stalls is a 408; a client that
 * aborts is one log line. Never a hang, never a stack trace.
 */
export function createForwarder(
  options: ForwardingOptions,
): (request: IncomingMessage, response: ServerResponse, token: string) => void {
  const logger = new Logger('Proxy');
  const trusted = options.trustForwarded ?? false;
  const logOnce = (request: ProxiedRequest, line: string) => {
    if (request[LOGGED]) return;
    request[LOGGED] = true;
    logger.warn(`${request.method ?? 'GET'} ${(request.originalUrl ?? request.url ?? '/').split('?')[0]}: ${line}`);
  };
  const middleware: RequestHandler = createProxyMiddleware({
    target: options.upstream,
    // without an agent http-proxy sends `Connection: close`, and an upstream that answers
    // early (a 413) then closes while the body still flows: the reset can erase its answer
    // before we read it (RFC 9112 §9.6). Kept alive, a Node upstream reads and drops the rest.
    agent: options.upstream.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true })
      : new HttpAgent({ keepAlive: true }),
    changeOrigin: true,
    // forwarding headers are ours to write (forwardingHeaders), never http-proxy's appending
    xfwd: false,
    // http-proxy would copy the upstream's hop-by-hop headers and echo the client's Connection
    selfHandleResponse: true,
    proxyTimeout: options.timeoutMs,
    pathRewrite: (path) => path.slice(options.mountPath.length) || '/',
    on: {
      proxyReq: (proxyRequest: ClientRequest, request: ProxiedRequest) => {
        proxyRequest.on('timeout', () => (request[TIMED_OUT] = true));
      },
      proxyRes: (proxyResponse, request, response) => relay(proxyResponse, request, response),
      // http-proxy's name for "the client went away": no answer is possible
      econnreset: (_error, request) => logOnce(request, 'the client aborted the request'),
      error: (error, request, response) => {
        const req = request as ProxiedRequest;
        const res = response as ServerResponse;
        if (req[ANSWERED]) {
          // the upstream answered before the whole body and hung up: its answer is on its way
          drain(req);
          return;
        }
        if (req.socket.destroyed) {
          logOnce(req, 'the client aborted the request');
          return;
        }
        const stalled = req[TIMED_OUT] === true && !req.complete;
        const status = stalled ? 408 : req[TIMED_OUT] ? 504 : 502;
        const code = (error as NodeJS.ErrnoException).code ?? error.name;
        logOnce(
          req,
          stalled
            ? `408 request body stalled for ${options.timeoutMs} ms`
            : `${status} upstream ${req[TIMED_OUT] ? 'timed out' : `failed (${code})`}`,
        );
        if (res.headersSent || typeof res.writeHead !== 'function') {
          res.destroy?.();
          return;
        }
        const body = { statusCode: status, error: ERROR_CODES[status] };
        // the rest of a stalled body is never read: the connection goes with the answer
        res.writeHead(status, { 'content-type': 'application/json', ...(stalled ? { connection: 'close' } : {}) });
        res.end(JSON.stringify(body));
      },
    },
  });
  return (request, response, token) => {
    request.headers = outgoingHeaders(request, token, trusted);
    void middleware(request, response, (error?: unknown) => {
      if (error) logOnce(request, `proxy failed (${error instanceof Error ? error.name : 'error'})`);
    });
  };
}

const ERROR_CODES: Record<number, string> = { 408: 'request_timeout', 502: 'bad_gateway', 504: 'upstream_timeout' };

/**
 * The headers http-proxy copies to the upstream request: end-to-end ones only, no cookie, the
 * validated token as `Authorization`, our forwarding headers. `Expect` is dropped too: Node
 * already answered the client's `100-continue`, and http-proxy skips its `proxyReq` event
 * for a request that has one.
 */
function outgoingHeaders(request: IncomingMessage, token: string, trusted: boolean): IncomingMessage['headers'] {
  const headers = endToEndHeaders(request.headers);
  for (const name of ['cookie', 'expect', ...FORWARDING_HEADERS]) delete headers[name];
  headers.authorization = `Bearer ${token}`;
  // the body keeps its framing: Node decoded the client's chunks and encodes its own
  if (request.headers['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
  return { ...headers, ...forwardingHeaders(request, trusted) };
}

/** Writes the upstream's answer: its status, its end-to-end headers less `Set-Cookie`, its body. */
function relay(proxyResponse: IncomingMessage, request: ProxiedRequest, response: ServerResponse): void {
  request[ANSWERED] = true;
  const status = proxyResponse.statusCode ?? 502;
  const proxyRequest = (proxyResponse as IncomingMessage & { req?: ClientRequest }).req;
  // an upstream that refused a body, or answered before it had all of it, may never read the
  // rest: its connection must not carry our next request
  const reusable =
    request.complete && proxyRequest?.writableFinished === true && !(status >= 400 && carriesBody(request));
  const headers = endToEndHeaders(proxyResponse.headers);
  // the upstream's cookies belong to its own site, not the proxy's
  delete headers['set-cookie'];
  // (the agent takes a socket back before the response's 'close': tell it now)
  if (!reusable && proxyRequest) proxyRequest.shouldKeepAlive = false;
  response.writeHead(status, proxyResponse.statusMessage, headers);
  proxyResponse.pipe(response);
  proxyResponse.once('close', () => {
    // an upstream that dies mid-body must not leave our client waiting for the rest
    if (!proxyResponse.complete) response.destroy();
    else if (!reusable) proxyRequest?.destroy();
  });
  // answered before the whole body (a 413): the client gets the answer, the rest is dropped
  response.once('finish', () => drain(request));
}

function carriesBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Reads and drops the rest of the client's body, so the client receives the answer, not a reset. */
function drain(request: IncomingMessage): void {
  if (request.complete) return;
  request.unpipe();
  request.resume();
}
