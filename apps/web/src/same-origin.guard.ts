import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { WebConfig } from './web-config.js';
import { WEB_CONFIG } from './web.tokens.js';

/**
 * CSRF protection for the routes that act on the token cookies (`POST /refresh`,
 * `POST /logout`): the request must carry `Origin: <WEB_ORIGIN>`. Browsers send `Origin` on
 * every POST, same-origin `fetch` and form posts included, and never let a page forge it; a
 * request without it (not from a browser page) is refused too. The cookies' SameSite already
 * keeps them off cross-site requests; this also stops same-site attackers, such as a page on
 * a sibling port or subdomain.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  constructor(@Inject(WEB_CONFIG) private readonly config: Pick<WebConfig, 'origin'>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    if (request.headers.origin === this.config.origin) return true;
    throw new ForbiddenException({
      statusCode: 403,
      error: 'cross_origin_request',
      message: `this route accepts requests from ${this.config.origin} only`,
    });
  }
}
