import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { MissingTokenError } from '../errors/bearer-token.errors.js';
import { BearerTokenResolver } from '../extraction/bearer-token-resolver.js';
import type { ResolvedOptions } from '../module/resource-server-options.js';
import { RESOLVED_OPTIONS, VERIFIED_TOKEN } from '../module/resource-server.tokens.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { compileRequirements } from './claim-checks.js';
import { PublicRoute } from './decorators/public.decorator.js';
import { requirementsOf } from './route-requirements.js';

interface RouteRules {
  readonly isPublic: boolean;
  readonly check: (claims: AccessTokenClaims) => void;
}

type Handler = ReturnType<ExecutionContext['getHandler']>;
type AuthenticatedRequest = IncomingMessage & { user?: AccessTokenClaims; [VERIFIED_TOKEN]?: VerifiedToken };

/**
 * Validates the bearer token of every request before any handler runs, then applies the
 * route's own rules. Registered globally by `ResourceServerModule` (secure by default:
 * only `@Public()` opts out), or per controller with `global: false` and `@UseGuards()`.
 * Failures are thrown as `BearerTokenError`s and written by `BearerErrorFilter`.
 */
@Injectable()
export class ResourceServerGuard implements CanActivate {
  // route rules are read and compiled once per handler, not per request
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRules>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(BearerTokenResolver) private readonly resolver: BearerTokenResolver,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  // not `async`: a public route or a cached verification answers without a promise
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rules = this.rulesFor(context.getHandler(), context.getClass());
    if (rules.isPublic) return true;
    // secure by default: a non-HTTP handler (RPC, WebSocket) must be marked @Public() explicitly
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    // Fastify's request wraps Node's: the raw headers (repeats included) are on `raw`
    const resolved = this.resolver.resolve((request as { raw?: IncomingMessage }).raw ?? request);
    if (resolved === undefined) throw new MissingTokenError();
    const cached = this.verifier.verifyCached?.(resolved.token);
    if (cached) return admit(request, cached, rules);
    return this.verifier
      .verify(resolved.token, request, http.getResponse<ServerResponse>())
      .then((verified) => admit(request, verified, rules));
  }

  private rulesFor(handler: Handler, controller: Handler): RouteRules {
    let byController = this.rules.get(handler);
    let rules = byController?.get(controller);
    if (rules) return rules;
    rules = {
      isPublic: this.reflector.getAllAndOverride(PublicRoute, [handler, controller]) === true,
      check: compileRequirements([...requirementsOf(controller), ...requirementsOf(handler)], this.options.rolesClaim),
    };
    if (!byController) this.rules.set(handler, (byController = new WeakMap()));
    byController.set(controller, rules);
    return rules;
  }
}

/** The route's rules hold for these claims: attach them to the request for the handler. */
function admit(request: AuthenticatedRequest, verified: VerifiedToken, rules: RouteRules): true {
  rules.check(verified.claims);
  request[VERIFIED_TOKEN] = verified;
  request.user = verified.claims;
  return true;
}
