import { Logger } from '@nestjs/common';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError } from '../errors/bearer-token.errors.js';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import type { ResourceServerMetrics } from './resource-server-metrics.js';
import type { VerificationEvent, VerificationListener } from './verification-event.js';

/** What the guard knows of a request when it reports on it. */
export interface ObservedRequest {
  readonly method?: string;
  readonly url?: string;
}

/** The Nest handler being guarded: `<Controller>.<method>`, built only when a listener wants it. */
export type HandlerName = () => string;

/**
 * Reports each verification the guard makes to the metrics (always; no-ops without an
 * OpenTelemetry SDK) and to the app's {@link VerificationListener} (when there is one).
 * A listener that throws is logged once, by name, and never fails the request. @internal
 */
export class ResourceServerTelemetry {
  private readonly logger = new Logger('ResourceServer');
  private listenerFailed = false;

  constructor(
    readonly metrics: ResourceServerMetrics,
    private readonly listener: VerificationListener | null,
  ) {}

  /** The route may run. */
  accepted(
    request: ObservedRequest,
    handler: HandlerName,
    startedAt: number,
    strategy: string,
    issuer: string | undefined,
  ): void {
    const seconds = (performance.now() - startedAt) / 1000;
    this.metrics.verifications.add(1, { outcome: 'accepted', strategy });
    this.metrics.verificationDuration.record(seconds, { outcome: 'accepted' });
    if (this.listener) {
      this.tell({
        ...where(request, handler),
        outcome: 'accepted',
        status: 200,
        strategy,
        issuer,
        durationMs: seconds * 1000,
      });
    }
  }

  /**
   * The guard threw: a rejection (400/401/403), the authorization server's failure (503), or a
   * bug (rethrown, not counted). `verified`: the token, when it was valid and the route's rules
   * refused it (a 403), whose strategy and issuer the event then names.
   */
  failed(
    error: unknown,
    request: ObservedRequest,
    handler: HandlerName,
    startedAt: number,
    verified?: { readonly strategy: string; readonly claims: { readonly iss?: string } },
  ): void {
    const seen = classify(error);
    if (!seen) return;
    const seconds = (performance.now() - startedAt) / 1000;
    const strategy = verified?.strategy;
    this.metrics.verifications.add(
      1,
      strategy === undefined
        ? { outcome: seen.outcome, reason: seen.reason }
        : { outcome: seen.outcome, reason: seen.reason, strategy },
    );
    this.metrics.verificationDuration.record(seconds, { outcome: seen.outcome });
    if (this.listener) {
      const token = verified && { strategy: verified.strategy, issuer: verified.claims.iss };
      this.tell({ ...where(request, handler), ...seen, ...token, durationMs: seconds * 1000 });
    }
  }

  private tell(event: VerificationEvent): void {
    try {
      this.listener!.onVerification(event);
    } catch (error) {
      if (this.listenerFailed) return;
      this.listenerFailed = true;
      const name = error instanceof Error ? error.name : typeof error;
      this.logger.warn(`the verification listener threw (${name}); later failures are not logged`);
    }
  }
}

function classify(error: unknown): Pick<VerificationEvent, 'outcome' | 'status' | 'reason'> | undefined {
  if (error instanceof BearerTokenError) return { outcome: 'rejected', status: error.status, reason: error.reason };
  if (error instanceof CrossSiteRequestError) return { outcome: 'rejected', status: 403, reason: error.reason };
  if (error instanceof AuthorizationServerUnavailableError) {
    return { outcome: 'unavailable', status: 503, reason: error.reason };
  }
  return undefined;
}

function where(request: ObservedRequest, handler: HandlerName): Pick<VerificationEvent, 'method' | 'path' | 'handler'> {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return {
    method: (request.method ?? '').toUpperCase(),
    path: query === -1 ? url : url.slice(0, query),
    handler: handler(),
  };
}
