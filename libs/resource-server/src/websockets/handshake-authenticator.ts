import type { IncomingMessage } from 'node:http';
import { Logger, type ArgumentsHost, type CanActivate, type INestApplicationContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ResourceServerGuard, RouteRulesPolicy, timePolicyOf } from '../authorization/resource-server.guard.js';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { checkTimes, type TimePolicy } from '../claims/time-rules.js';
import { BearerErrorFilter, BearerErrorPolicy } from '../errors/bearer-error.filter.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError, InvalidRequestError, InvalidTokenError } from '../errors/bearer-token.errors.js';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import { DpopChallengePolicy } from '../errors/dpop-challenge.js';
import type { Rejection, RejectionWriter } from '../errors/rejection.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import { ClientCertificatePolicy } from '../extraction/client-certificate.js';
import { checkTrustedOrigin, CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { ResourceServerTelemetry } from '../telemetry/resource-server-telemetry.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { fireAfter } from '../transports/fire-after.js';
import { rejectionPayloadOf, type RejectionPayload } from '../transports/rejection-payload.js';
import { attachVerifiedToken, type RequestWithToken } from '../transports/verified-request.js';
import { verifyRequest, type RequestVerification } from '../verification/verify-request.js';
import { rememberGuard } from './guard-gateways.js';

/** A handshake's outcome: the verified token, or the refusal as the filter decided it. */
export type HandshakeOutcome =
  | { readonly verified: VerifiedToken; readonly rejection?: undefined }
  | { readonly verified?: undefined; readonly rejection: Rejection };

/** The filter's answer, captured instead of written: the adapter writes it on the handshake. */
const CAPTURE: RejectionWriter = {
  describe: (host) => host.getArgByIndex<IncomingMessage>(0),
  write: (rejection) => rejection,
};

/** An `ArgumentsHost` standing for a handshake, for the filter: type `ws`, the request as its one argument. */
function handshakeHost(request: IncomingMessage): ArgumentsHost {
  const args = [request];
  const unsupported = () => {
    throw new Error('a handshake has only its request');
  };
  return {
    getType: () => 'ws',
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    switchToWs: () => ({ getClient: () => request, getData: () => undefined, getPattern: () => 'handshake' }),
    switchToHttp: unsupported,
    switchToRpc: unsupported,
  } as unknown as ArgumentsHost;
}

/**
 * Verifies a WebSocket handshake with the module's own stages (resolver, verifier, binding
 * rules) and decides a refusal with its own filter, for the adapters. A cookie-borne token
 * needs a trusted `Origin` (the handshake is a GET, but it opens a channel that SameSite and
 * CORS leave unprotected: cross-site WebSocket hijacking). A token from socket.io's `auth`
 * payload counts as a header token: only script can send it. @internal
 */
export class HandshakeAuthenticator {
  private readonly logger = new Logger('ResourceServer');

  constructor(
    private readonly stages: RequestVerification,
    private readonly times: TimePolicy,
    private readonly filter: BearerErrorFilter,
    private readonly telemetry: ResourceServerTelemetry,
    private readonly guard?: CanActivate,
  ) {}

  /** Built from the app's `ResourceServerModule` (after its providers exist). */
  static of(app: INestApplicationContext): HandshakeAuthenticator {
    const get = <T>(token: unknown, optional = false): T => {
      try {
        return app.get<T>(token as string, { strict: false });
      } catch (error) {
        if (optional) return null as T;
        throw new Error('ResourceServerModule is not imported: its WebSocket adapter cannot verify handshakes', {
          cause: error,
        });
      }
    };
    const rules = get<RouteRulesPolicy>(RouteRulesPolicy);
    const crossSite = get<CrossSitePolicy>(CrossSitePolicy);
    const resolver = get<BearerTokenResolver>(BearerTokenResolver);
    const stages: RequestVerification = {
      // the Origin rule, for every method: verifyRequest's own cross-site rule spares a GET
      resolver: {
        resolve: (request) => {
          const resolved = resolver.resolve(request);
          if (resolved?.source === 'cookie') checkTrustedOrigin(request, crossSite);
          return resolved;
        },
      },
      crossSite,
      verifier: get<TokenVerifier>(TokenVerifier),
      clientCertificate: get<ClientCertificatePolicy | null>(ClientCertificatePolicy, true) ?? undefined,
    };
    const filter = new BearerErrorFilter(
      get<HttpAdapterHost>(HttpAdapterHost),
      get<BearerErrorPolicy>(BearerErrorPolicy),
      get<DpopChallengePolicy | null>(DpopChallengePolicy, true),
      { ws: CAPTURE },
    );
    const times = timePolicyOf(rules);
    return new HandshakeAuthenticator(
      stages,
      times,
      filter,
      get<ResourceServerTelemetry>(ResourceServerTelemetry),
      get<ResourceServerGuard>(ResourceServerGuard),
    );
  }

  /**
   * Gives an admitted connection its verified token, and the app's guard for the gateways'
   * messages (see `guardGateways()`).
   */
  admit(client: object, verified: VerifiedToken): void {
    attachVerifiedToken(client as RequestWithToken, verified);
    if (this.guard) rememberGuard(client, this.guard);
  }

  /**
   * The handshake's token, verified: from `Authorization`, the cookie (with the Origin rule)
   * or `payloadToken` (socket.io's `auth.token`). Two different tokens are refused (400).
   * Never throws for a refusal; throws only for a bug.
   */
  async authenticate(request: IncomingMessage, payloadToken?: unknown): Promise<HandshakeOutcome> {
    const startedAt = performance.now();
    const handler = () => 'WebSocket handshake';
    const observed = { method: request.method, url: request.url };
    try {
      const subject = payloadToken === undefined ? request : withPayloadToken(request, payloadToken);
      const verified = await verifyRequest(subject, this.stages);
      this.telemetry.accepted(observed, handler, startedAt, verified.strategy, verified.claims.iss);
      return { verified };
    } catch (error) {
      this.telemetry.failed(error, observed, handler, startedAt);
      if (!isRefusal(error)) throw error;
      // the filter decides it as for HTTP and logs it once with its reason, never the token
      return { rejection: this.filter.catch(error as never, handshakeHost(request)) as Rejection };
    }
  }

  /**
   * Calls `onExpired` once the token's `exp` (plus the clock tolerance) has passed, the
   * moment the guard starts refusing it; returns the function that cancels it. A token
   * without `exp` (an introspection response may have none) never expires here.
   */
  watchExpiry(verified: VerifiedToken, onExpired: () => void): () => void {
    let cancel: (() => void) | undefined;
    const arm = () => {
      const exp = verified.claims.exp;
      if (typeof exp !== 'number') return;
      const delay = (exp + this.times.clockToleranceSeconds) * 1000 - this.times.clock();
      cancel = fireAfter(delay, () => this.expireIfDue(verified, onExpired, arm));
    };
    arm();
    return () => cancel?.();
  }

  private expireIfDue(verified: VerifiedToken, onExpired: () => void, arm: () => void): void {
    try {
      checkTimes(verified.claims, this.times, false);
    } catch {
      onExpired();
      return;
    }
    arm(); // a timer that fired early (an injected clock behind the real one) waits again
  }

  /** What a client is told when its connection's token expires: the filter's 401 `token_expired`, logged once. */
  expired(request: IncomingMessage): RejectionPayload {
    const error = new InvalidTokenError('token expired', 'token_expired');
    return rejectionPayloadOf(this.filter.catch(error, handshakeHost(request)) as Rejection);
  }

  /** An unexpected failure (a bug, not a refusal): logged without the token, answered 500. */
  failed(error: unknown): void {
    this.logger.error(`WebSocket handshake failed: ${error instanceof Error ? error.name : typeof error}`, error);
  }
}

/** What the filter answers (the rest is a bug, answered 500). */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof BearerTokenError ||
    error instanceof AuthorizationServerUnavailableError ||
    error instanceof CrossSiteRequestError
  );
}

/**
 * The handshake request with socket.io's `auth.token` as one more `Authorization: Bearer`
 * header, so that the module's resolver sees every token at once: a different header or
 * cookie token is two tokens (400), the `b64token` syntax is checked as for a header.
 */
function withPayloadToken(request: IncomingMessage, token: unknown): IncomingMessage {
  if (typeof token !== 'string') throw new InvalidRequestError('auth.token must be a string', 'bad_header');
  const value = `Bearer ${token}`;
  return Object.create(request, {
    rawHeaders: { value: [...request.rawHeaders, 'Authorization', value] },
    headers: { value: { ...request.headers, authorization: request.headers.authorization ?? value } },
  }) as IncomingMessage;
}
