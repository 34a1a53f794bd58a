import { interactionPolicy, type KoaContextWithOIDC, type TokenModel } from 'oidc-provider';

/** `acr` of a login with the password alone (OIDC Core §2: a value agreed between the parties). */
export const ACR_PASSWORD = 'urn:nest-resource-server:acr:password';

/** `acr` of a login with the password and the dev one-time code: what todo-api's `DELETE /todos` asks for. */
export const ACR_MFA = 'mfa';

/** The `acr` values the server can satisfy, announced as `acr_values_supported`. */
export const ACR_VALUES: readonly string[] = [ACR_PASSWORD, ACR_MFA];

/** `amr` (RFC 8176 §2) of a password login. */
export const AMR_PASSWORD: readonly string[] = ['pwd'];

/** `amr` (RFC 8176 §2) of a login with the password and the one-time code. */
export const AMR_MFA: readonly string[] = ['pwd', 'otp', 'mfa'];

/** True when the space-separated `acr_values` of an authorization request asks for {@link ACR_MFA}. */
export function requestsMfa(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes(ACR_MFA);
}

/**
 * oidc-provider's default interaction policy plus one check on the login prompt: a request
 * with `acr_values` naming `mfa` needs a login when the session's `acr` is anything else.
 * (`acr_values` is voluntary in OIDC Core §3.1.2.1, so oidc-provider alone would just issue the
 * session's `acr`; `max_age` is already its own `max_age` check.)
 */
export function stepUpInteractionPolicy(): ReturnType<typeof interactionPolicy.base> {
  const { base, Check } = interactionPolicy;
  const policy = base();
  policy
    .get('login')!
    .checks.add(
      new Check('acr_mfa', 'a second factor is required', 'login_required', (ctx: KoaContextWithOIDC) =>
        requestsMfa(ctx.oidc.params?.acr_values) && ctx.oidc.session?.acr !== ACR_MFA
          ? Check.REQUEST_PROMPT
          : Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}

/**
 * The authentication claims of the login an access token comes from (`acr`, `amr`,
 * `auth_time`), for `extraTokenClaims`: oidc-provider puts them in ID tokens only, but an API
 * needs them to ask for a step-up (RFC 9470 §3). They come from the authorization code, or on
 * refresh from the refresh token, which keeps those of the original login: a refresh never
 * makes a login more recent.
 */
export function authenticationClaims(ctx: KoaContextWithOIDC, token: TokenModel): Record<string, unknown> {
  if (token.kind !== 'AccessToken') return {};
  const source = ctx.oidc.entities?.AuthorizationCode ?? ctx.oidc.entities?.RefreshToken;
  if (!source) return {};
  return {
    ...(source.acr !== undefined ? { acr: source.acr } : {}),
    ...(source.amr !== undefined ? { amr: [...source.amr] } : {}),
    ...(source.authTime !== undefined ? { auth_time: source.authTime } : {}),
  };
}
