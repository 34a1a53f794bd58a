import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for the session cookie: a state-changing request must come from the BFF's
 * own page. Browsers send `Origin` on every cross-site POST/DELETE and never let a page
 * forge it; without `Origin`, `Sec-Fetch-Site: same-origin` is accepted. Everything else is
 * 403. (The SameSite=Lax cookie already stops most cross-site sends; this also covers
 * same-site attackers, such as another app on a sibling subdomain.)
 */
@Injectable()
export class OriginCheckGuard implements CanActivate {
  constructor(private readonly origin: string) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    if (SAFE_METHODS.has(request.method ?? 'GET')) return true;
    const origin = request.headers.origin;
    if (origin === this.origin) return true;
    if (origin === undefined && request.headers['sec-fetch-site'] === 'same-origin') return true;
    throw new ForbiddenException({ statusCode: 403, error: 'csrf', message: 'cross-origin request refused' });
  }
}
