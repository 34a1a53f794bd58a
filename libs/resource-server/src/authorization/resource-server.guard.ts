import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessTokenClaims, VerifiedToken } from '../claims/access-token-claims.js';
import { MissingTokenError } from '../errors/bearer-token.errors.js';
import { BearerTokenResolver, nodeRequestOf } from '../extraction/bearer-token-resolver.js';
import { checkCrossSite, CrossSitePolicy } from '../extraction/cross-site-request.validator.js';
import { isPending, TokenVerifier } from '../verification/token-verifier.js';
import { compileRequirements } from './claim-checks.js';
import { PublicRoute } from './decorators/public.decorator.js';
import { requirementsOf } from './route-requirements.js';
import { attachVerifiedToken, type RequestWithToken } from './verified-request.js';

/** What the guard needs of the options. */
export interface RouteRulesPolicy {
  /** Claim (or dotted path) holding the caller's roles, for `@RequireRole()`. */
  readonly rolesClaim: string;
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

  constructor(
    private readonly reflector: Reflector,
    @Inject(RouteRulesPolicy) private readonly policy: RouteRulesPolicy,
    @Inject(BearerTokenResolver) private readonly resolver: BearerTokenResolver,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(CrossSitePolicy) private readonly crossSite: CrossSitePolicy,
  ) {}

  // not `async`: a public route or a verification answered from memory needs no promise
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rules = this.rulesFor(context.getHandler(), context.getClass());
    if (rules.isPublic) return true;
    // secure by default: a non-HTTP handler (RPC, WebSocket) must be marked @Public() explicitly
    if (context.getType() !== 'http') return false;

    const request = context.switchToHttp().getRequest<RequestWithToken>();
    const node = nodeRequestOf(request);
    const resolved = this.resolver.resolve(node);
    if (resolved === undefined) throw new MissingTokenError();
    checkCrossSite(node, resolved.source, this.crossSite);
    const verified = this.verifier.verify(resolved.token, {
      source: resolved.source,
      method: node.method ?? 'GET',
      url: node.url ?? '/',
    });
    if (isPending(verified)) return Promise.resolve(verified).then((result) => admit(request, result, rules));
    return admit(request, verified, rules);
  }

  private rulesFor(handler: Handler, controller: Handler): RouteRules {
    let byController = this.rules.get(handler);
    let rules = byController?.get(controller);
    if (rules) return rules;
    rules = {
      isPublic: this.reflector.getAllAndOverride(PublicRoute, [handler, controller]) === true,
      check: compileRequirements([...requirementsOf(controller), ...requirementsOf(handler)], this.policy.rolesClaim),
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
