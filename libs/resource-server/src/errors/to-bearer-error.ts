import { AuthorizationServerUnavailableError } from './authorization-server-unavailable.error.js';
import { BearerTokenError, InvalidTokenError } from './bearer-token.errors.js';

/** Everything a verification can end in, other than success. */
export type VerificationFailure = BearerTokenError | AuthorizationServerUnavailableError;

// jsonwebtoken's messages, by what they mean for the client
const JSONWEBTOKEN_MESSAGES: readonly [RegExp, string, string][] = [
  [/^invalid signature$/, 'token signature is invalid', 'bad_signature'],
  [/^jwt signature is required$/, 'token is not signed', 'unsigned'],
  [/^invalid algorithm$/, 'token algorithm is not accepted', 'alg_not_allowed'],
  [/^(jwt malformed|invalid token|jwt must be provided)$/, 'token is malformed', 'malformed'],
  [/key|secret/i, 'token algorithm does not match its key', 'alg_key_mismatch'],
];

/**
 * Classifies whatever a strategy reported (passport-jwt puts a JWKS outage and a bad
 * signature in the same `info` slot) into our error family, by error class: ours pass
 * through, jsonwebtoken's become `invalid_token`, and anything unexpected becomes
 * `invalid_token` too (never a 2xx, never a 500), keeping the original as `cause` for logs.
 */
export function toBearerError(error: unknown): VerificationFailure {
  if (error instanceof BearerTokenError || error instanceof AuthorizationServerUnavailableError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  switch (name) {
    case 'TokenExpiredError':
      return new InvalidTokenError('token expired', 'token_expired', { cause: error });
    case 'NotBeforeError':
      return new InvalidTokenError('token is not valid yet', 'token_not_yet_valid', { cause: error });
    case 'JsonWebTokenError': {
      const [, description, reason] = JSONWEBTOKEN_MESSAGES.find(([pattern]) => pattern.test(message)) ?? [
        undefined,
        'token is invalid',
        'jwt_invalid',
      ];
      return new InvalidTokenError(description, reason, { cause: error });
    }
    case 'SyntaxError':
      // jsonwebtoken lets JSON.parse throw for a payload that is not JSON under typ JWT
      return new InvalidTokenError('token is malformed', 'malformed', { cause: error });
    default:
      return new InvalidTokenError('token is invalid', 'verification_error', { cause: error });
  }
}
