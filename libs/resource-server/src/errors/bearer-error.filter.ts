import {
  Catch,
  ConsoleLogger,
  Inject,
  Logger,
  Optional,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AuthorizationServerUnavailableError } from './authorization-server-unavailable.error.js';
import { BearerTokenError } from './bearer-token.errors.js';
import { CrossSiteRequestError } from './cross-site-request.error.js';
import { DpopChallengePolicy, formatDpopChallenges, usedDpopScheme } from './dpop-challenge.js';
import { DpopNonceError } from './dpop.errors.js';
import { RejectionWriters, type Rejection } from './rejection.js';
import { formatWwwAuthenticate } from './www-authenticate.js';

/** What the filter needs of the options. */
export interface BearerErrorPolicy {
  /** `realm` of the `WWW-Authenticate` challenge. */
  readonly realm: string;
  /** URL of the protected resource metadata, named in every 401 challenge (RFC 9728 §5.1). */
  readonly resourceMetadata?: string;
}

/** Injection token of the filter's {@link BearerErrorPolicy}. @internal */
export const BearerErrorPolicy = Symbol.for('nest-resource-server.BearerErrorPolicy');

/**
 * Nest 12's loggers take a plain object after the message as structured fields: one JSON
 * line with them under `ConsoleLogger({ json: true })`, appended on the same line in text.
 * Nest 11's would print the object as a second message, so it gets none.
 */
const STRUCTURED_LOGS = 'stringifyParams' in ConsoleLogger.prototype;

/**
 * Writes one rejection's line with its fields (as a verification event names them; never the
 * token). Nest's own `ConsoleLogger`: the text, and on Nest 12 the fields as structured
 * parameters. Any other logger the app installed (nestjs-pino, nest-winston, ...): one object,
 * `{ msg, ...fields }`, which those loggers write as the fields of one JSON line (pino's
 * message key is `msg`); a logger given extra parameters would drop them or print them apart.
 */
function writeLine(
  logger: Logger,
  level: 'log' | 'warn',
  text: string,
  outcome: 'rejected' | 'unavailable',
  status: number,
  reason: string,
  request: { method?: string; url?: string },
): void {
  const fields = { outcome, status, reason, method: request.method, path: request.url?.split('?')[0] };
  if (!(logger.localInstance instanceof ConsoleLogger)) logger[level]({ msg: text, ...fields });
  else if (STRUCTURED_LOGS) logger[level](text, fields);
  else logger[level](text);
}

/** Seconds a client is told to wait after a 503. */
const RETRY_AFTER_SECONDS = '5';

/**
 * The one writer of rejections, through the platform's adapter (Express or Fastify alike):
 * status, the RFC 6750 `WWW-Authenticate` challenge and a JSON body with `error`,
 * `error_description` and `reason` for every `BearerTokenError`; a 503 without a challenge
 * for an unavailable authorization server; a 403 `csrf_rejected` without a challenge for a
 * cross-site write by cookie. Logs each rejection once with its reason, never
 * the token, never a stack trace.
 */
@Catch(BearerTokenError, AuthorizationServerUnavailableError, CrossSiteRequestError)
export class BearerErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ResourceServer');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(BearerErrorPolicy) private readonly policy: BearerErrorPolicy,
    @Optional() @Inject(DpopChallengePolicy) private readonly dpop?: DpopChallengePolicy | null,
    @Optional() @Inject(RejectionWriters) private readonly writers?: RejectionWriters | null,
  ) {}

  catch(
    error: BearerTokenError | AuthorizationServerUnavailableError | CrossSiteRequestError,
    host: ArgumentsHost,
  ): unknown {
    const type = host.getType();
    const writer = type === 'http' ? undefined : this.writers?.[type];
    if (type !== 'http' && !writer) throw error;
    const request = writer?.describe(host) ?? host.switchToHttp().getRequest<{ method?: string; url?: string }>();
    const rejection = this.rejectionFor(error, request);
    const route = `${request.method} ${request.url?.split('?')[0]}`;
    if (rejection.status === 503) {
      const text = `503 ${rejection.reason} ${route}: ${error.message}`;
      writeLine(this.logger, 'warn', text, 'unavailable', 503, rejection.reason, request);
    } else {
      const text = `${rejection.status} ${rejection.reason} ${route}`;
      writeLine(this.logger, 'log', text, 'rejected', rejection.status, rejection.reason, request);
    }
    if (writer) return writer.write(rejection, host);
    const adapter = this.adapterHost.httpAdapter;
    const response = host.switchToHttp().getResponse<unknown>();
    for (const [name, value] of Object.entries(rejection.headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, rejection.body, rejection.status);
    return undefined;
  }

  /** Status, headers and body of the answer, whatever writes it. */
  private rejectionFor(
    error: BearerTokenError | AuthorizationServerUnavailableError | CrossSiteRequestError,
    request: { method?: string; url?: string },
  ): Rejection {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (error instanceof AuthorizationServerUnavailableError) {
      headers['Retry-After'] = RETRY_AFTER_SECONDS;
      const body = {
        statusCode: 503,
        error: 'temporarily_unavailable',
        error_description: 'authorization server unavailable',
      };
      return { status: 503, headers, body, reason: error.reason };
    }
    if (error instanceof CrossSiteRequestError) {
      // not the token's fault: no challenge (the operator contract, second edition)
      const body = {
        statusCode: 403,
        error: 'csrf_rejected',
        error_description: error.description,
        reason: error.reason,
      };
      return { status: 403, headers, body, reason: error.reason };
    }
    let challenge = formatWwwAuthenticate(this.policy.realm, error, this.policy);
    if (this.dpop)
      challenge = formatDpopChallenges(
        this.policy.realm,
        error,
        this.dpop,
        usedDpopScheme(request),
        challenge,
        this.policy,
      );
    headers['WWW-Authenticate'] = challenge;
    if (error instanceof DpopNonceError) headers['DPoP-Nonce'] = error.nonce;
    const scope = (error as { scope?: string }).scope;
    const body = error.code
      ? {
          statusCode: error.status,
          error: error.code,
          error_description: error.description,
          reason: error.reason,
          ...(scope ? { scope } : {}),
        }
      : { statusCode: 401, message: 'bearer token required', reason: error.reason };
    return { status: error.status, headers, body, reason: error.reason };
  }
}
