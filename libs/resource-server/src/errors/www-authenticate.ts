import type { BearerTokenError } from './bearer-token.errors.js';

/**
 * Formats the `WWW-Authenticate` challenge of RFC 6750 §3 for an error, exactly as the
 * operator contract's table shows it (the body always carries the description).
 * Values are quoted-strings; `error_description` and `scope` are kept within the
 * characters RFC 6750 allows (%x20-21 / %x23-5B / %x5D-7E), so a description can
 * never break the header or smuggle a quote. A step-up error adds `acr_values` and
 * `max_age` (RFC 9470 §3), and `extras.resourceMetadata` adds `resource_metadata` to a 401
 * (RFC 9728 §5.1).
 */
export function formatWwwAuthenticate(realm: string, error?: BearerTokenError, extras: ChallengeExtras = {}): string {
  const params: [string, string][] = [['realm', realm]];
  // RFC 9470 §3: max_age is a number, written as a token (the contract's `max_age=300`)
  const tokens: [string, string][] = [];
  if (error?.code) {
    params.push(['error', error.code]);
    const scope = (error as { scope?: string }).scope;
    // the operator contract's exact challenges: invalid_request and a missing scope carry no description
    if (error.description && error.code !== 'invalid_request' && !scope) {
      params.push(['error_description', error.description]);
    }
    if (scope) params.push(['scope', scope]);
    const { acrValues, maxAgeSeconds } = error as { acrValues?: string; maxAgeSeconds?: number };
    if (acrValues) params.push(['acr_values', acrValues]);
    if (maxAgeSeconds !== undefined) tokens.push(['max_age', String(Math.max(0, Math.floor(maxAgeSeconds)))]);
  }
  // RFC 9728 §5.1: every 401 points the client at the protected resource metadata
  const resourceMetadata: [string, string][] =
    extras.resourceMetadata && (error?.status ?? 401) === 401 ? [['resource_metadata', extras.resourceMetadata]] : [];
  return (
    'Bearer ' +
    [
      ...params.map(([name, value]) => `${name}="${toQuotableText(value)}"`),
      ...tokens.map(([name, value]) => `${name}=${value}`),
      ...resourceMetadata.map(([name, value]) => `${name}="${toQuotableText(value)}"`),
    ].join(', ')
  );
}

/** What a challenge carries besides the error (RFC 9728). */
export interface ChallengeExtras {
  /** URL of the protected resource metadata; sent with every 401 (RFC 9728 §5.1). */
  readonly resourceMetadata?: string;
}

/** Drops every character outside RFC 6750's error_description set (no `"` and no `\`). */
export function toQuotableText(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}
