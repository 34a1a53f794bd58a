/**
 * The `acr` values the page may ask the login for: those the sample APIs name in a step-up
 * challenge (todo-api's `DELETE /todos` wants `mfa`). Anything else is refused, so `/login`
 * cannot be made to send arbitrary values to the authorization server.
 */
export const STEP_UP_ACR_VALUES: readonly string[] = ['mfa'];

/** The longest `max_age` `/login` passes on, in seconds (a day). */
export const MAX_STEP_UP_MAX_AGE_SECONDS = 86_400;

/** What a step-up adds to the authorization request (OIDC Core §3.1.2.1). */
export interface StepUpRequest {
  /** Space separated, each one of {@link STEP_UP_ACR_VALUES}. */
  readonly acr_values?: string;
  /** Seconds, as a decimal string. */
  readonly max_age?: string;
}

/**
 * Reads `acr_values` and `max_age` of `GET /login` (the page sends them from an API's RFC 9470
 * challenge, `insufficient_user_authentication`). Both are optional; other parameters are
 * ignored (the callback always goes back to `/`, so nothing here can redirect elsewhere).
 * @returns the parameters to add to the authorization request, or the problem when one is
 *   repeated, an `acr` value is unknown, or `max_age` is not a number of seconds up to a day.
 */
export function stepUpRequest(query: Record<string, unknown>): StepUpRequest | { problem: string } {
  const request: { acr_values?: string; max_age?: string } = {};
  const acrValues = query.acr_values;
  if (acrValues !== undefined) {
    if (typeof acrValues !== 'string') return { problem: 'acr_values: expected one value' };
    const values = acrValues.split(' ');
    // the problem never echoes the value: it may end up in a page or a log line
    if (values.some((value) => !STEP_UP_ACR_VALUES.includes(value)))
      return { problem: `acr_values: expected ${STEP_UP_ACR_VALUES.join(' or ')}` };
    request.acr_values = [...new Set(values)].join(' ');
  }
  const maxAge = query.max_age;
  if (maxAge !== undefined) {
    if (typeof maxAge !== 'string' || !/^\d{1,6}$/.test(maxAge) || Number(maxAge) > MAX_STEP_UP_MAX_AGE_SECONDS)
      return { problem: `max_age: expected seconds up to ${MAX_STEP_UP_MAX_AGE_SECONDS}` };
    request.max_age = String(Number(maxAge));
  }
  return request;
}

/** `authorizationUrl` with the step-up parameters added (or replaced) in its query. */
export function withStepUp(authorizationUrl: string, request: StepUpRequest): string {
  const url = new URL(authorizationUrl);
  for (const [name, value] of Object.entries(request)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}
