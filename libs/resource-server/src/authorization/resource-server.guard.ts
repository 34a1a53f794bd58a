import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { checkTimes, type TimePolicy } from '../claims/time-rules.js';
import { MissingTokenError } from '../errors/bearer-token.errors.js';
import { BearerTokenResolver, nodeRequestOf } from '../extraction/bearer-token-resolver.js';
import { CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { ClientCertificatePolicy } from '../extraction/client-certificate.js';
import { ResourceServerTelemetry } from '../telemetry/resource-server-telemetry.js';
import { isPending, TokenVerifier, whenAnswered } from '../verification/token-verifier.js';
import { verifyRequest, type RequestVerification } from '../verification/verify-request.js';
import { compileRequirements } from './claim-checks.js';
import { claimReaderFor, type ClaimSources } from './claim-sources.js';
import { PublicRoute } from './decorators/public.decorator.js';
import { requirementsOf } from './route-requirements.js';
import type { Transport } from '../transports/transport.js';
import { transportOf } from '../transports/transports.js';
import {
  attachVerifiedToken,
  VERIFICATION,
  verifiedTokenOfRequest,
  type RequestWithToken,
} from '../transports/verified-request.js';

/** What the guard needs of the options. */
export interface RouteRulesPolicy {
  /** Claim (or dotted path) holding the caller's roles, for `@RequireRole()`. */
  readonly rolesClaim: string;
  /** Skew allowed on `auth_time` for `@RequireAuthentication()`, in seconds. Default: 0. */
  readonly clockToleranceSeconds?: number;
  /** What `auth_time` is checked against, in milliseconds since the epoch. Default: `Date.now`. */
  readonly clock?: () => number;
  /** Where scopes and roles come from (a provider preset); undefined: `scope`/`scp` and `rolesClaim`. */
  readonly claimSources?: ClaimSources;
}

/** The clock and tolerance the route rules and a reused token's times are checked with. @internal */
export function timePolicyOf(policy: RouteRulesPolicy): TimePolicy {
  return { clock: policy.clock ?? Date.now, clockToleranceSeconds: policy.clockToleranceSeconds ?? 0 };
}

/** Injection token of the guard's {@link RouteRulesPolicy}. @internal */
export const RouteRulesPolicy = Symbol.for('nest-resource-server.RouteRulesPolicy');

interface RouteRules {
  readonly isPublic: boolean;
  readonly check: (claims: AccessTokenClaims) => void;
}

type Handler = ReturnType<ExecutionContext['getHandler']>;

/**
 * Validates the bearer token of every request before any handler runs, then applies the
 * route's own rules: resolve the token, refuse a cross-site write by cookie, verify it, check
 * the route, attach the claims.
 * Registered globally by `ResourceServerModule` (secure by default: only `@Public()` opts
 * out), or per controller with `global: false` and `@UseGuards()`. Failures are thrown as
 * `BearerTokenError`s and written by `BearerErrorFilter`. The same on Express and Fastify.
 */
@Injectable()
export class ResourceServerGuard implements CanActivate {
  // route rules are read and compiled once per handler, not per request
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRules>>();

  private readonly stages: RequestVerification;
  private readonly times: TimePolicy;

  constructor(
    private readonly reflector: Reflector,
    @Inject(RouteRulesPolicy) private readonly policy: RouteRulesPolicy,
    @Inject(BearerTokenResolver) resolver: BearerTokenResolver,
    @Inject(TokenVerifier) verifier: TokenVerifier,
    @Inject(CrossSitePolicy) crossSite: CrossSitePolicy,
    private readonly telemetry: ResourceServerTelemetry,
    @Optional() @Inject(ClientCertificatePolicy) clientCertificate?: ClientCertificatePolicy,
  ) {
    this.stages = { resolver, verifier, crossSite, clientCertificate: clientCertificate ?? undefined };
    this.times = timePolicyOf(policy);
  }

  // not `async`: a public route or a verification answered from memory needs no promise
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rules = this.rulesFor(context.getHandler(), context.getClass());
    if (rules.isPublic) return true;
    const type = context.getType();
    if (type !== 'http') return this.admitOther(context, transportOf(type), rules);
    const request = context.switchToHttp().getRequest<RequestWithToken>();
    return this.verifyAndAdmit(context, request, nodeRequestOf(request), rules);
  }

  /**
   * GraphQL, WebSocket, RPC: the same rules through the context's transport. Secure by
   * default: a context no transport knows is refused (only `@Public()` opens it).
   */
  private admitOther(
    context: ExecutionContext,
    transport: Transport | undefined,
    rules: RouteRules,
  ): boolean | Promise<boolean> {
    const holder = transport?.holderOf(context);
    if (!transport || !holder) return false;
    if (transport.reusesVerifiedToken) return this.admitOnce(context, transport, holder, rules);
    const node = transport.requestOf(context);
    if (!node) throw new MissingTokenError();
    return this.verifyAndAdmit(context, holder, node, rules);
  }

  /**
   * One verification per holder (a GraphQL operation, a WebSocket connection), whatever the
   * number of fields or messages: a token verified before is used again with its times
   * checked anew; fields arriving while it is verified wait for that verification, and a
   * failed one fails them the same way. The token is kept before the route's rules are
   * checked, so a field refused for a scope does not make the next field verify again.
   */
  private admitOnce(
    context: ExecutionContext,
    transport: Transport,
    holder: RequestWithToken,
    rules: RouteRules,
  ): boolean | Promise<boolean> {
    const known = verifiedTokenOfRequest(holder);
    if (known) return this.admitKnown(known, rules, context, transport);
    const earlier = holder[VERIFICATION];
    if (earlier) {
      if ('failed' in earlier) throw earlier.failed;
      return earlier.then((verified) => this.admitKnown(verified, rules, context, transport));
    }
    const node = transport.requestOf(context);
    if (!node) throw new MissingTokenError();
    const startedAt = performance.now();
    const handler = () => `${context.getClass().name}.${context.getHandler().name}`;
    const failed = (error: unknown): never => {
      holder[VERIFICATION] = { failed: error };
      this.telemetry.failed(error, node, handler, startedAt);
      throw error;
    };
    const keep = (verified: VerifiedToken): VerifiedToken => {
      attachVerifiedToken(holder, verified);
      this.telemetry.accepted(node, handler, startedAt, verified.strategy, verified.claims.iss);
      return verified;
    };
    let answer: VerifiedToken | Promise<VerifiedToken>;
    try {
      answer = verifyRequest(node, this.stages);
    } catch (error) {
      return failed(error);
    }
    if (!isPending(answer)) return this.admitKnown(keep(answer), rules, context, transport);
    const pending = answer.then(keep, failed);
    holder[VERIFICATION] = pending;
    return pending.then((verified) => this.admitKnown(verified, rules, context, transport));
  }

  /**
   * A token verified for this holder: still in its time, and this handler's rules hold. A
   * refusal is an event like any other (one per refused field or message).
   */
  private admitKnown(known: VerifiedToken, rules: RouteRules, context: ExecutionContext, transport: Transport): true {
    const startedAt = performance.now();
    try {
      checkTimes(known.claims, this.times, false);
      rules.check(known.claims);
      return true;
    } catch (error) {
      const request = transport.requestOf(context) ?? { method: context.getType() };
      const handler = () => `${context.getClass().name}.${context.getHandler().name}`;
      this.telemetry.failed(error, request, handler, startedAt, known);
      throw error;
    }
  }

  private verifyAndAdmit(
    context: ExecutionContext,
    holder: RequestWithToken,
    node: IncomingMessage,
    rules: RouteRules,
  ): boolean | Promise<boolean> {
    const startedAt = performance.now();
    const handler = () => `${context.getClass().name}.${context.getHandler().name}`;
    let answer: boolean | Promise<boolean>;
    let valid: VerifiedToken | undefined; // set when only the route's rules can still refuse
    try {
      answer = whenAnswered(verifyRequest(node, this.stages), (verified) => {
        valid = verified;
        admit(holder, verified, rules);
        this.telemetry.accepted(node, handler, startedAt, verified.strategy, verified.claims.iss);
        return true;
      });
    } catch (error) {
      this.telemetry.failed(error, node, handler, startedAt, valid);
      throw error;
    }
    if (!isPending(answer)) return answer;
    return answer.then(undefined, (error: unknown) => {
      this.telemetry.failed(error, node, handler, startedAt, valid);
      throw error;
    });
  }

  private rulesFor(handler: Handler, controller: Handler): RouteRules {
    let byController = this.rules.get(handler);
    let rules = byController?.get(controller);
    if (rules) return rules;
    rules = {
      isPublic: this.reflector.getAllAndOverride(PublicRoute, [handler, controller]) === true,
      check: compileRequirements(
        [...requirementsOf(controller), ...requirementsOf(handler)],
        this.policy.rolesClaim,
        this.policy,
        this.policy.claimSources && claimReaderFor(this.policy.claimSources),
      ),
    };
    if (!byController) this.rules.set(handler, (byController = new WeakMap()));
    byController.set(controller, rules);
    return rules;
  }
}

/** The route's rules hold for these claims: attach them to the request for the handler. */
function admit(request: RequestWithToken, verified: VerifiedToken, rules: RouteRules): true {
  rules.check(verified.claims);
  attachVerifiedToken(request, verified);
  return true;
}
