/**
 * Where a claim is: a claim name (`'roles'`; a dotted name such as `'realm_access.roles'`
 * also reaches into nested objects when no claim has that exact name), or an array of keys
 * walked exactly (`['resource_access', 'my.client', 'roles']`), for names that contain dots.
 */
export type ClaimPath = string | readonly string[];

/** Stands, in a role path, for each accepted audience (`resource_access.<audience>.roles`). */
export const EACH_AUDIENCE = '{audience}';

/** A claim that carries scopes, and how they are written. */
export interface ScopeClaim {
  readonly claim: ClaimPath;
  /** `space-separated`: one string (RFC 8693 §4.2); `array`: strings; `either`: one or the other. */
  readonly format: 'space-separated' | 'array' | 'either';
}

/** A claim a token must carry with one value, or carry with it when present (`whenPresent`). */
export interface ClaimRule {
  readonly claim: string;
  readonly equals: string;
  /** Only checked when the claim is there. Default: false (the claim is required). */
  readonly whenPresent?: boolean;
}

/**
 * Where an authorization server puts what `@RequireScope()` and `@RequireRole()` read, and
 * the extra rules its access tokens follow. Declarative: copy a built-in one
 * (`PROVIDER_PRESETS.keycloak`) to write your own, and pass it as the `provider` option.
 * @example
 * const myIdp: ProviderPreset = {
 *   name: 'my-idp',
 *   scopes: [{ claim: 'scope', format: 'space-separated' }],
 *   roles: [['https://my-idp.example/claims', 'roles']],
 * };
 */
export interface ProviderPreset {
  /** For logs and errors. */
  readonly name: string;
  /** Scopes are the union of these claims. */
  readonly scopes: readonly ScopeClaim[];
  /** Roles are the union of these claims (a string, or an array of strings, each). `rolesClaim` replaces them. */
  readonly roles: readonly ClaimPath[];
  /** Checked after the id-token markers; a failure is `invalid_token`, reason `token_type_not_accepted`. */
  readonly claimRules?: readonly ClaimRule[];
  /** When a token has no `aud`, the accepted audiences are matched against this claim instead. */
  readonly audienceFallbackClaim?: string;
}
