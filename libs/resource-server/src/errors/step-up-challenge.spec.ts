import { describe, expect, it } from '@jest/globals';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  type BearerTokenError,
} from './bearer-token.errors.js';
import { InsufficientUserAuthenticationError } from './insufficient-user-authentication.error.js';
import { formatWwwAuthenticate } from './www-authenticate.js';

const METADATA = 'https://api.example.com/.well-known/oauth-protected-resource';

describe('formatWwwAuthenticate', () => {
  describe('step-up (RFC 9470)', () => {
    it.each<[string, InsufficientUserAuthenticationError, string]>([
      [
        'a wrong acr',
        new InsufficientUserAuthenticationError('a stronger authentication is required', 'mfa'),
        'Bearer realm="x", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="mfa"',
      ],
      [
        'an old auth_time',
        new InsufficientUserAuthenticationError('a more recent authentication is required', undefined, 300),
        'Bearer realm="x", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300',
      ],
      [
        'both',
        new InsufficientUserAuthenticationError('a stronger authentication is required', 'mfa hwk', 0),
        'Bearer realm="x", error="insufficient_user_authentication", error_description="a stronger authentication is required", acr_values="mfa hwk", max_age=0',
      ],
    ])('writes acr_values and max_age for %s', (_case, error, header) => {
      expect(formatWwwAuthenticate('x', error)).toBe(header);
    });
  });

  describe('resource_metadata (RFC 9728 §5.1)', () => {
    it.each<[string, BearerTokenError, string]>([
      ['a missing token', new MissingTokenError(), `Bearer realm="x", resource_metadata="${METADATA}"`],
      [
        'an invalid token',
        new InvalidTokenError('token expired', 'token_expired'),
        `Bearer realm="x", error="invalid_token", error_description="token expired", resource_metadata="${METADATA}"`,
      ],
      [
        'a step-up',
        new InsufficientUserAuthenticationError('a more recent authentication is required', undefined, 300),
        `Bearer realm="x", error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=300, resource_metadata="${METADATA}"`,
      ],
    ])('adds it to the 401 for %s', (_case, error, header) => {
      expect(formatWwwAuthenticate('x', error, { resourceMetadata: METADATA })).toBe(header);
    });

    it.each<[string, BearerTokenError, string]>([
      [
        'a missing scope (403)',
        new InsufficientScopeError('', 'scope_missing', 'todo:write'),
        'Bearer realm="x", error="insufficient_scope", scope="todo:write"',
      ],
      [
        'an invalid request (400)',
        new InvalidRequestError('two tokens', 'two_tokens'),
        'Bearer realm="x", error="invalid_request"',
      ],
    ])('leaves it out of %s', (_case, error, header) => {
      expect(formatWwwAuthenticate('x', error, { resourceMetadata: METADATA })).toBe(header);
    });

    it('is absent when no metadata URL is configured', () => {
      expect(formatWwwAuthenticate('x', new MissingTokenError(), {})).toBe('Bearer realm="x"');
    });
  });
});
