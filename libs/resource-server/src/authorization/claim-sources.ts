import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { claimAt, type ClaimReader } from './claim-checks.js';

/** A claim name (a dotted name also reaches into nested objects), or an array of keys walked exactly. */
export type ClaimPath = string | readonly string[];

/** Where a provider puts scopes and roles (a provider preset, resolved). */
export interface ClaimSources {
  readonly scopes: readonly {
    readonly claim: ClaimPath;
    readonly format: 'space-separated' | 'array' | 'either';
  }[];
  readonly roles: readonly ClaimPath[];
}

/** The value at `path`: {@link claimAt} for a name, an exact walk for an array of keys. */
export function valueAt(claims: AccessTokenClaims, path: ClaimPath): unknown {
  if (typeof path === 'string') return claimAt(claims, path);
  let value: unknown = claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Reads scopes and roles where `sources` say, as whole values (never substrings). */
export function claimReaderFor(sources: ClaimSources): ClaimReader {
  return {
    scopes(claims) {
      const scopes = new Set<string>();
      for (const { claim, format } of sources.scopes) {
        const value = valueAt(claims, claim);
        const values =
          typeof value === 'string' && format !== 'array'
            ? value.split(' ')
            : Array.isArray(value) && format !== 'space-separated'
              ? value
              : [];
        for (const scope of values) if (typeof scope === 'string' && scope !== '') scopes.add(scope);
      }
      return scopes;
    },
    roles(claims) {
      const roles: string[] = [];
      for (const path of sources.roles) {
        const value = valueAt(claims, path);
        if (typeof value === 'string') roles.push(value);
        else if (Array.isArray(value)) for (const role of value) if (typeof role === 'string') roles.push(role);
      }
      return roles;
    },
  };
}
