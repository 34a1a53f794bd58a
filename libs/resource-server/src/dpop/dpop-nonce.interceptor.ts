import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Observable } from 'rxjs';
import type { DpopNonces } from './dpop-nonces.js';

/**
 * Gives every answer that reaches a handler the next `DPoP-Nonce` (RFC 9449 §8.2), through the
 * platform's adapter (Express and Fastify alike), set before the handler runs so that a 2xx
 * always carries it. Registered only when proofs must carry a nonce. A nonce that cannot be
 * made at once (the shared secret not loaded from Redis yet) is left out rather than holding
 * the request.
 * @internal
 */
export class DpopNonceInterceptor implements NestInterceptor {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly nonces: DpopNonces,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const nonce = this.nonces.current();
    if (typeof nonce === 'string') {
      this.adapterHost.httpAdapter.setHeader(context.switchToHttp().getResponse(), 'DPoP-Nonce', nonce);
    } else {
      // the shared secret is not loaded yet (Redis down since start-up): answer without a nonce
      // rather than hold the request; the next proof that needs one gets it with its 401
      nonce.then(undefined, () => undefined);
    }
    return next.handle();
  }
}
