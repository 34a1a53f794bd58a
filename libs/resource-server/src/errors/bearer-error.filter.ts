import { Catch, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedOptions } from '../module/resource-server-options.js';
import { RESOLVED_OPTIONS } from '../module/resource-server.tokens.js';
import { AuthorizationServerUnavailableError } from './authorization-server-unavailable.error.js';
import { BearerTokenError } from './bearer-token.errors.js';
import { formatWwwAuthenticate } from './www-authenticate.js';

/** Seconds a client is told to wait after a 503. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The one writer of rejections: status, the RFC 6750 `WWW-Authenticate` challenge and a
 * JSON body for every `BearerTokenError`; a 503 without a challenge for an unavailable
 * authorization server. Logs each rejection once with its reason code, never the token.
 */
@Catch(BearerTokenError, AuthorizationServerUnavailableError)
export class BearerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ResourceServer');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  catch(error: BearerTokenError | AuthorizationServerUnavailableError, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const request = http.getRequest<{ method?: string; url?: string }>();
    const response = http.getResponse<unknown>();
    const route = `${request.method} ${request.url?.split('?')[0]}`;

    if (error instanceof AuthorizationServerUnavailableError) {
      this.logger.warn(`503 ${error.reason} ${route}: ${error.message}`);
      adapter.setHeader(response, 'Retry-After', RETRY_AFTER_SECONDS);
      adapter.setHeader(response, 'Cache-Control', 'no-store');
      adapter.reply(
        response,
        { statusCode: 503, error: 'temporarily_unavailable', error_description: 'authorization server unavailable' },
        503,
      );
      return;
    }

    const cause = error.cause instanceof Error ? `: ${error.cause.name}: ${error.cause.message}` : '';
    if (error.reason === 'verification_error') this.logger.error(`${error.status} ${error.reason} ${route}${cause}`);
    else this.logger.log(`${error.status} ${error.reason} ${route}`);

    adapter.setHeader(response, 'WWW-Authenticate', formatWwwAuthenticate(this.options.realm, error));
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    const scope = (error as { scope?: string }).scope;
    const body = error.code
      ? {
          statusCode: error.status,
          error: error.code,
          error_description: error.description,
          ...(scope ? { scope } : {}),
        }
      : { statusCode: 401, message: 'bearer token required' };
    adapter.reply(response, body, error.status);
  }
}
