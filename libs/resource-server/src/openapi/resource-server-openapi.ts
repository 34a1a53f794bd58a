import { Logger, type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  ApiResponse,
  ApiSecurity,
  SwaggerModule,
  type OpenAPIObject,
  type SchemaObject,
  type SecuritySchemeObject,
  type SwaggerDocumentOptions,
} from '@nestjs/swagger';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import { fetchJson } from '../discovery/fetch-json.js';
import type { RejectionReason } from '../errors/rejection-reason.js';
import { GUARD_IS_GLOBAL, routeSecurityOf, type RouteSecurity } from '../authorization/route-security.js';
import { RESOLVED_OPTIONS } from '../module/resource-server.tokens.js';

/** What {@link createResourceServerDocument} may be told. */
export interface ResourceServerOpenApiOptions {
  /**
   * Add an `oauth2` scheme (authorization code flow) with the endpoints of the issuer's
   * discovery document; when the issuer cannot be reached, an `openIdConnect` scheme naming
   * the discovery URL instead. Default: true.
   */
  readonly discovery?: boolean;
  /** Longest wait for the discovery document. Default: the module's `httpTimeoutMs`. */
  readonly discoveryTimeoutMs?: number;
  /** Passed to `SwaggerModule.createDocument()`. */
  readonly documentOptions?: SwaggerDocumentOptions;
}

/** Names of the security schemes this adds to `components.securitySchemes`. */
export const SECURITY_SCHEMES = { bearer: 'bearer', cookie: 'cookie', oauth2: 'oauth2' } as const;

/** Name of the rejection body's schema in `components.schemas`. */
export const REJECTION_SCHEMA = 'ResourceServerRejection';

type DocumentConfig = Omit<OpenAPIObject, 'paths'>;

// where `@ApiSecurity()` and `@ApiResponse()` keep their metadata (`DECORATORS` of @nestjs/swagger)
const SWAGGER_KEYS = ['swagger/apiSecurity', 'swagger/apiResponse'] as const;

// every reason a client may read in a rejection body; the check below fails to compile
// when the contract's list gains a reason this one lacks
const REASONS = [
  'token_missing',
  'token_expired',
  'token_not_yet_valid',
  'token_malformed',
  'signature_invalid',
  'algorithm_not_allowed',
  'key_unknown',
  'issuer_mismatch',
  'audience_mismatch',
  'token_type_not_accepted',
  'token_inactive',
  'token_bound',
  'token_invalid',
  'two_tokens',
  'bad_header',
  'scope_missing',
  'role_missing',
  'claim_missing',
  'csrf_rejected',
  'dpop_proof_invalid',
  'dpop_nonce_required',
  'dpop_required',
  'authentication_insufficient',
] as const satisfies readonly RejectionReason[];
const everyReasonListed: Exclude<RejectionReason, (typeof REASONS)[number]> extends never ? true : never = true;
void everyReasonListed;

const REJECTION_BODY: SchemaObject = {
  type: 'object',
  description: 'Why the request was refused (RFC 6750 error, and the `reason` a client acts on).',
  required: ['statusCode', 'reason'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', example: 'invalid_token' },
    error_description: { type: 'string' },
    reason: { type: 'string', enum: [...REASONS] },
  },
};

/**
 * Builds the app's OpenAPI document with `@nestjs/swagger` and describes its protection,
 * read from the decorators the guard already reads (no second annotation): the security
 * schemes (the bearer token, the token cookie when cookie intake is on, OAuth 2 from the
 * issuer's discovery), and on every protected route its `security` requirement with the
 * scopes of `@RequireScope()`, a 401 response (and a 403 when the route has rules a valid
 * token can fail) whose body names the `reason`. `@Public()` routes get none of it. The
 * handlers' metadata is only lent to `SwaggerModule.createDocument()`: each call describes
 * the app it is given, and nothing stays on the classes.
 * @example
 * const config = new DocumentBuilder().setTitle('todo-api').build();
 * SwaggerModule.setup('docs', app, await createResourceServerDocument(app, config));
 */
export async function createResourceServerDocument(
  app: INestApplication,
  config: DocumentConfig,
  options: ResourceServerOpenApiOptions = {},
): Promise<OpenAPIObject> {
  const resolved = app.get<ResolvedOptions>(RESOLVED_OPTIONS, { strict: false });
  const guardIsGlobal = app.get<boolean>(GUARD_IS_GLOBAL, { strict: false });
  const routes = routeSecurityOf(controllersOf(app), guardIsGlobal);
  const allScopes = [...new Set(routes.flatMap((route) => route.scopes))].sort();

  const schemes: Record<string, SecuritySchemeObject> = {
    [SECURITY_SCHEMES.bearer]: {
      type: 'http',
      scheme: 'bearer',
      ...(resolved.strategy === 'jwt' ? { bearerFormat: 'JWT' } : {}),
      description: 'An access token from the issuer, in `Authorization: Bearer <token>` (RFC 6750 §2.1).',
    },
  };
  if (resolved.cookieName) {
    schemes[SECURITY_SCHEMES.cookie] = {
      type: 'apiKey',
      in: 'cookie',
      name: resolved.cookieName,
      description: 'The access token in a cookie; a write needs a trusted `Origin` (CSRF rule).',
    };
  }
  // with several issuers, the first one's flow; with a resolver of tenants, none to name
  if (options.discovery !== false && resolved.issuer !== '') {
    schemes[SECURITY_SCHEMES.oauth2] = await oauth2Scheme(
      resolved.issuer,
      options.discoveryTimeoutMs ?? resolved.httpTimeoutMs,
      allScopes,
    );
  }
  const described: DocumentConfig = {
    ...config,
    components: {
      ...config.components,
      securitySchemes: { ...config.components?.securitySchemes, ...schemes },
      schemas: { ...config.components?.schemas, [REJECTION_SCHEMA]: REJECTION_BODY },
    },
  };

  // OpenAPI 3.0 lets only oauth2 and openIdConnect requirements list scopes (§4.7.30: "for
  // other security scheme types, the array MUST be empty"); 3.1 lets the others list roles
  const scoped = new Set<string>(
    Object.entries(schemes)
      .filter(([, scheme]) => scheme.type === 'oauth2' || scheme.type === 'openIdConnect' || isOpenApi31(config))
      .map(([name]) => name)
      .filter((name) => name !== SECURITY_SCHEMES.cookie),
  );
  const lent = routes.filter((route) => route.protected).map((route) => lend(route, Object.keys(schemes), scoped));
  try {
    return SwaggerModule.createDocument(app, described, options.documentOptions);
  } finally {
    for (const giveBack of lent) giveBack();
  }
}

/** Every controller class registered in the app. */
function controllersOf(app: INestApplicationContext): Set<abstract new (...args: never[]) => unknown> {
  const controllers = new Set<abstract new (...args: never[]) => unknown>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      if (typeof wrapper.metatype === 'function') {
        controllers.add(wrapper.metatype as abstract new (...args: never[]) => unknown);
      }
    }
  }
  return controllers;
}

/**
 * Puts the route's requirement and responses on its handler, where `@nestjs/swagger` reads
 * them; the function returned puts back what was there before.
 */
function lend(route: RouteSecurity, schemes: readonly string[], scoped: ReadonlySet<string>): () => void {
  const { handler } = route;
  const saved = SWAGGER_KEYS.map((key) => [key, Reflect.getOwnMetadata(key, handler) as unknown] as const);
  const target = route.controller.prototype as object;
  const descriptor = { value: handler };
  // one requirement object per scheme: any one of them is enough (OpenAPI 3.0 §4.7.30)
  for (const scheme of schemes) {
    const scopes = scoped.has(scheme) ? [...route.scopes] : [];
    ApiSecurity(scheme, scopes)(target, handler.name, descriptor);
  }
  const body = { $ref: `#/components/schemas/${REJECTION_SCHEMA}` };
  ApiResponse({
    status: 401,
    description:
      'No token, or one that is not valid here (`WWW-Authenticate: Bearer …`). `reason` says why; ' +
      'only `token_expired` means "refresh".',
    schema: body,
  })(target, handler.name, descriptor);
  if (route.scopes.length > 0 || route.hasOtherRules) {
    const needs = route.scopes.length > 0 ? ` Needs ${route.scopes.join(', ')}.` : '';
    ApiResponse({
      status: 403,
      description: `A valid token without what this route requires (\`insufficient_scope\`).${needs}`,
      schema: body,
    })(target, handler.name, descriptor);
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteMetadata(key, handler);
      else Reflect.defineMetadata(key, value, handler);
    }
  };
}

function isOpenApi31(config: DocumentConfig): boolean {
  return typeof config.openapi === 'string' && /^3\.1\./.test(config.openapi);
}

/** The authorization code flow from the issuer's discovery document, or a pointer to that document. */
async function oauth2Scheme(
  issuer: string,
  timeoutMs: number,
  scopes: readonly string[],
): Promise<SecuritySchemeObject> {
  const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  try {
    const metadata = (await fetchJson(discoveryUrl, { timeoutMs, what: 'discovery' })) as Record<string, unknown>;
    const { authorization_endpoint: authorizationUrl, token_endpoint: tokenUrl } = metadata ?? {};
    if (typeof authorizationUrl === 'string' && typeof tokenUrl === 'string') {
      return {
        type: 'oauth2',
        flows: {
          authorizationCode: {
            authorizationUrl,
            tokenUrl,
            scopes: Object.fromEntries(scopes.map((scope) => [scope, `required by some routes of this API`])),
          },
        },
      };
    }
    new Logger('ResourceServer').warn('OpenAPI: the discovery document has no authorization or token endpoint');
  } catch (error) {
    new Logger('ResourceServer').warn(`OpenAPI: ${(error as Error).message}; documenting the discovery URL instead`);
  }
  return { type: 'openIdConnect', openIdConnectUrl: discoveryUrl };
}
