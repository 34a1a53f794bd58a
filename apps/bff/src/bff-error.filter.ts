import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { SessionStoreHealth } from './session-store.js';

/**
 * The BFF's last word on an error no route answered: an `HttpException` as Nest would write it;
 * anything else is 503 `session_store_unavailable` when the session store is down at that
 * moment (Redis went away mid-request), else 500. Either is logged as one line with the error's
 * name and message, never its stack, and the client sees neither.
 */
@Catch()
export class BffErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Bff');

  constructor(private readonly store: SessionStoreHealth) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response
        .status(exception.getStatus())
        .json(typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body);
      return;
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    const { method, originalUrl } = host.switchToHttp().getRequest<{ method: string; originalUrl: string }>();
    this.logger.error(`${method} ${originalUrl.split('?')[0]} failed: ${error.name}: ${error.message}`);
    if (!this.store.isAvailable()) {
      response.status(503).setHeader('retry-after', '5').json({
        statusCode: 503,
        error: 'session_store_unavailable',
        message: 'sessions are unavailable right now; try again shortly',
      });
      return;
    }
    response.status(500).json({ statusCode: 500, error: 'internal_error' });
  }
}
