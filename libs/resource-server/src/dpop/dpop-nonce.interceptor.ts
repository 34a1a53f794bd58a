import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { from, switchMap, type Observable } from 'rxjs';
import { DpopNonces } from './dpop-nonces.js';

/**
 * Gives every answer that reaches a handler the next `DPoP-Nonce` (RFC 9449 §8.2), through the
 * platform's adapter (Express and Fastify alike), set before the handler runs so that a 2xx
 * always carries it. Does nothing unless proofs must carry a nonce. A nonce that cannot be
 * made now (the shared secret's Redis is down) is left out rather than failing the request.
 * @internal
 */
@Injectable()
export class DpopNonceInterceptor implements NestInterceptor {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(DpopNonces) private readonly nonces: DpopNonces | null,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.nonces || context.getType() !== 'http') return next.handle();
    const response = context.switchToHttp().getResponse<unknown>();
    const set = (nonce: string) => this.adapterHost.httpAdapter.setHeader(response, 'DPoP-Nonce', nonce);
    const nonce = this.nonces.current();
    if (typeof nonce === 'string') {
      set(nonce);
      return next.handle();
    }
    return from(nonce.then(set, () => undefined)).pipe(switchMap(() => next.handle()));
  }
}
