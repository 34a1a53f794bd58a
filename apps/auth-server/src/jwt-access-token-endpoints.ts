import { createHash, timingSafeEqual } from 'node:crypto';
import type { KoaContextWithOIDC, KoaMiddleware, Provider } from 'oidc-provider';
import { findDevUser, userClaims } from './dev-users.js';
import { looksLikeJws, type IssuedAccessTokens } from './issued-access-tokens.js';
import { CLAIMS_BY_SCOPE, RESOURCE_SERVER_CLIENTS } from './provider-config.js';
import { readForm } from './read-form.js';

/**
 * Introspection and userinfo for the JWT access tokens, in front of oidc-provider's own
 * endpoints (same URLs, as announced by discovery), which handle only opaque tokens:
 *
 * - `POST <introspection_endpoint>` from a resource-server client (`help-api`, `todo-api`)
 *   authenticated with HTTP Basic (RFC 7662 §2.1): a live JWT access token gives
 *   `{ active: true, ...its claims, token_type }` (`DPoP` when it carries `cnf.jkt`, else
 *   `Bearer`, RFC 9449 §6.2); anything else, refresh tokens
 *   included, `{ active: false }`. Any other caller, or wrong credentials, falls through to
 *   oidc-provider (which then answers `invalid_client`, or introspects an opaque token).
 * - `GET|POST <userinfo_endpoint>` with `Authorization: Bearer <JWT access token>`
 *   (OIDC Core §5.3): the user's claims allowed by the token's scopes. A DPoP-bound token is
 *   refused here (no proof is checked), as a resource server refuses it as Bearer.
 */
export function jwtAccessTokenEndpoints(provider: Provider, tokens: IssuedAccessTokens): KoaMiddleware {
  const introspectionPath = provider.pathFor('introspection');
  const userinfoPath = provider.pathFor('userinfo');
  return async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === introspectionPath && isResourceServer(ctx.get('authorization')))
      return introspect(ctx, tokens);
    const bearer = /^Bearer ([^\s]+)$/i.exec(ctx.get('authorization'))?.[1];
    if ((ctx.method === 'GET' || ctx.method === 'POST') && ctx.path === userinfoPath && bearer && looksLikeJws(bearer))
      return userinfo(ctx, tokens, bearer);
    return next();
  };
}

async function introspect(ctx: KoaContextWithOIDC, tokens: IssuedAccessTokens): Promise<void> {
  ctx.set('cache-control', 'no-store');
  const token = (await readForm(ctx.req))?.get('token');
  if (!token) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: 'missing required parameter "token"' };
    return;
  }
  const claims = looksLikeJws(token) ? await tokens.verify(token) : undefined;
  ctx.body = claims ? { ...claims, active: true, token_type: tokenType(claims) } : { active: false };
}

async function userinfo(ctx: KoaContextWithOIDC, tokens: IssuedAccessTokens, token: string): Promise<void> {
  ctx.set('cache-control', 'no-store');
  const claims = await tokens.verify(token);
  const user = typeof claims?.sub === 'string' ? findDevUser(claims.sub) : undefined;
  const scopes = new Set(typeof claims?.scope === 'string' ? claims.scope.split(' ') : []);
  // a DPoP-bound token is never accepted as Bearer (RFC 9449 §7.1); this endpoint checks no proofs
  if (!user || !scopes.has('openid') || claims?.cnf !== undefined) {
    // RFC 6750 §3.1: not ours, expired, revoked, bound to a key, or never meant for userinfo
    ctx.status = 401;
    ctx.set('www-authenticate', 'Bearer error="invalid_token"');
    ctx.body = { error: 'invalid_token' };
    return;
  }
  const all = userClaims(user);
  const released = [...scopes].flatMap((scope) => CLAIMS_BY_SCOPE[scope] ?? []);
  ctx.body = Object.fromEntries(released.filter((name) => name in all).map((name) => [name, all[name]]));
}

/** `DPoP` for a token bound to a DPoP key (`cnf.jkt`, RFC 9449 §6.2), `Bearer` otherwise. */
function tokenType(claims: Readonly<Record<string, unknown>>): 'DPoP' | 'Bearer' {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? 'DPoP' : 'Bearer';
}

/** True for HTTP Basic credentials (RFC 6749 §2.3.1) of a resource-server client, secret included. */
function isResourceServer(authorization: string): boolean {
  const encoded = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization)?.[1];
  if (!encoded) return false;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  let clientId: string;
  let secret: string;
  try {
    const decode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
    clientId = decode(decoded.slice(0, colon));
    secret = decode(decoded.slice(colon + 1));
  } catch {
    return false;
  }
  const expected = RESOURCE_SERVER_CLIENTS.get(clientId);
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return expected !== undefined && timingSafeEqual(digest(expected), digest(secret));
}
