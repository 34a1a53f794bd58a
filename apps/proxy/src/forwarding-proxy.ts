import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';

/** Where and how the proxy forwards. */
export interface ForwardingOptions {
  /** The upstream API's base URL, on another site than the cookie's. */
  readonly upstream: string;
  /** Path prefix removed before forwarding (`/api/todos` → `/todos`). */
  readonly mountPath: string;
  /** Time limit for the upstream's answer, in milliseconds. */
  readonly timeoutMs: number;
}

const TIMED_OUT = Symbol('proxy.timedOut');
const TOKEN = Symbol('proxy.token');

type ProxiedRequest = IncomingMessage & { [TIMED_OUT]?: boolean; [TOKEN]?: string };

/**
 * Forwards an already validated request upstream with `Authorization: Bearer <token>`,
 * dropping every cookie (the upstream is another site and validates the token itself).
 * Bodies stream through (http-proxy-middleware); an upstream that times out is a 504, one
 * that fails otherwise a 502, never a hang.
 */
export function createForwarder(
  options: ForwardingOptions,
): (request: IncomingMessage, response: ServerResponse, token: string) => void {
  const logger = new Logger('Proxy');
  const middleware: RequestHandler = createProxyMiddleware({
    target: options.upstream,
    changeOrigin: true,
    xfwd: true,
    proxyTimeout: options.timeoutMs,
    pathRewrite: (path) => path.slice(options.mountPath.length) || '/',
    on: {
      proxyReq: (proxyRequest: ClientRequest, request: ProxiedRequest) => {
        proxyRequest.removeHeader('cookie');
        proxyRequest.setHeader('authorization', `Bearer ${request[TOKEN]}`);
        proxyRequest.on('timeout', () => (request[TIMED_OUT] = true));
      },
      proxyRes: (proxyResponse) => {
        // the upstream's cookies belong to its own site, not the proxy's
        delete proxyResponse.headers['set-cookie'];
      },
      error: (error, request, response) => {
        const timedOut = (request as ProxiedRequest)[TIMED_OUT] === true;
        const status = timedOut ? 504 : 502;
        logger.warn(
          `${status} upstream ${timedOut ? 'timed out' : `failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`}`,
        );
        const res = response as ServerResponse;
        if (!res.headersSent && typeof res.writeHead === 'function') {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ statusCode: status, error: timedOut ? 'upstream_timeout' : 'bad_gateway' }));
        } else {
          res.destroy?.();
        }
      },
    },
  });
  return (request, response, token) => {
    (request as ProxiedRequest)[TOKEN] = token;
    void middleware(request, response, (error?: unknown) => {
      if (error) logger.error(`proxy: ${String(error)}`);
    });
  };
}
