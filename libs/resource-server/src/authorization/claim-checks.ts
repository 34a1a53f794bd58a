import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { hasAudience } from '../claims/registered-claims.validator.js';
import type { TimePolicy } from '../claims/time-rules.js';
import { InsufficientScopeError, InvalidTokenError } from '../errors/bearer-token.errors.js';
import { compileStepUp, type AuthenticationRequirement } from './step-up.js';

/** A value a claim must equal (or an array claim contain), or a predicate over it. */
export type ClaimExpectation = string | number | boolean | ((value: unknown, claims: AccessTokenClaims) => boolean);

/** One rule a route puts on a verified token; decorators add them, the guard checks them. */
export type RouteRequirement =
  | { readonly kind: 'audience'; readonly audiences: readonly string[] }
  | { readonly kind: 'scope'; readonly scopes: readonly string[] }
  | { readonly kind: 'role'; readonly roles: readonly string[] }
  | { readonly kind: 'claim'; readonly name: string; readonly expected: ClaimExpectation }
  | ({ readonly kind: 'authentication' } & AuthenticationRequirement);

/**
 * The token's scopes: `scope` (a space-separated string, RFC 8693 §4.2 / RFC 9068) and
 * `scp` (an array, or a space-separated string), together. Whole values only.
 */
export function scopesOf(claims: AccessTokenClaims): ReadonlySet<string> {
  const scopes = new Set<string>();
  const { scope, scp } = claims;
  // `scope` is a string only (RFC 8693 §4.2): an array there is malformed and grants nothing
  const values = [
    ...(typeof scope === 'string' ? scope.split(' ') : []),
    ...(typeof scp === 'string' ? scp.split(' ') : Array.isArray(scp) ? scp : []),
  ];
  for (const value of values) if (typeof value === 'string' && value !== '') scopes.add(value);
  return scopes;
}

/**
 * The value at `path`: the claim of that exact name if there is one, else a dotted path
 * into nested objects (`realm_access.roles`).
 */
export function claimAt(claims: AccessTokenClaims, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  if (!path.includes('.')) return undefined;
  let value: unknown = claims;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The roles in `claimPath`: an array of strings, or a single string as one role. */
export function rolesOf(claims: AccessTokenClaims, claimPath: string): readonly string[] {
  const value = claimAt(claims, claimPath);
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((role): role is string => typeof role === 'string') : [];
}

/** True when the claim equals `expected`, an array claim contains it, or the predicate holds. */
export function claimSatisfies(claims: AccessTokenClaims, name: string, expected: ClaimExpectation): boolean {
  const value = claimAt(claims, name);
  if (typeof expected === 'function') return expected(value, claims) === true;
  return Array.isArray(value) ? value.includes(expected) : value === expected;
}

/** Where a route's scopes and roles are read from the claims (a provider preset). */
export interface ClaimReader {
  scopes(claims: AccessTokenClaims): ReadonlySet<string>;
  roles(claims: AccessTokenClaims): readonly string[];
}

/**
 * Compiles a route's requirements once into one check: audience first (a token not meant
 * for this route is `invalid_token`), then scopes (`insufficient_scope` with every scope the
 * route needs), then roles and claims (`insufficient_scope` with a description).
 * Every requirement must hold; within `role`, any one of its roles is enough. Last, the
 * user's authentication (RFC 9470 step-up, 401): a token missing a scope, role or claim is
 * refused 403 before a new login is asked for, since logging in again would not help.
 * `time` is what `auth_time` is checked against.
 */
export function compileRequirements(
  requirements: readonly RouteRequirement[],
  rolesClaim: string,
  time?: Partial<TimePolicy>,
  reader?: ClaimReader,
): (claims: AccessTokenClaims) => void {
  const audiences = requirements.filter((r) => r.kind === 'audience').map((r) => new Set(r.audiences));
  const scopes = [...new Set(requirements.flatMap((r) => (r.kind === 'scope' ? r.scopes : [])))];
  const scopeParam = scopes.join(' ');
  const roles = requirements.filter((r) => r.kind === 'role').map((r) => r.roles);
  const claims = requirements.filter((r) => r.kind === 'claim');
  const stepUp = compileStepUp(
    requirements.filter((r) => r.kind === 'authentication'),
    time,
  );
  if (requirements.length === 0) return () => undefined;

  return (token) => {
    for (const accepted of audiences) {
      if (!hasAudience(token.aud, accepted)) {
        throw new InvalidTokenError('token audience is not accepted by this route', 'audience_mismatch');
      }
    }
    if (scopes.length > 0) {
      const granted = reader ? reader.scopes(token) : scopesOf(token);
      if (!scopes.every((scope) => granted.has(scope))) {
        throw new InsufficientScopeError('token lacks a required scope', 'scope_missing', scopeParam);
      }
    }
    if (roles.length > 0) {
      const held = reader ? reader.roles(token) : rolesOf(token, rolesClaim);
      const missing = roles.find((anyOf) => !anyOf.some((role) => held.includes(role)));
      if (missing) {
        throw new InsufficientScopeError(`requires the role ${missing.join(' or ')}`, 'role_missing');
      }
    }
    for (const rule of claims) {
      if (!claimSatisfies(token, rule.name, rule.expected)) {
        throw new InsufficientScopeError(`claim ${rule.name} does not satisfy this route`, 'claim_missing');
      }
    }
    stepUp?.(token);
  };
}
