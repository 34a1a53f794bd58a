import { describe, expect, it } from '@jest/globals';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  type BearerTokenError,
} from './bearer-token.errors.js';
import { formatWwwAuthenticate, toQuotableText } from './www-authenticate.js';

describe('formatWwwAuthenticate', () => {
  it.each<[string, BearerTokenError | undefined, string]>([
    ['no error', undefined, 'Bearer realm="x"'],
    ['a missing token', new MissingTokenError(), 'Bearer realm="x"'],
    [
      'an invalid request with a description',
      new InvalidRequestError('request carries two different tokens', 'two_tokens'),
      'Bearer realm="x", error="invalid_request"',
    ],
    [
      'an invalid token with an empty description',
      new InvalidTokenError('', 'token_invalid'),
      'Bearer realm="x", error="invalid_token"',
    ],
    [
      'an invalid token with a description',
      new InvalidTokenError('token expired', 'token_expired'),
      'Bearer realm="x", error="invalid_token", error_description="token expired"',
    ],
    [
      'a missing scope',
      new InsufficientScopeError('', 'scope_missing', 'todo:read todo:write'),
      'Bearer realm="x", error="insufficient_scope", scope="todo:read todo:write"',
    ],
    [
      'a missing scope with a description',
      new InsufficientScopeError('token lacks a required scope', 'scope_missing', 'todo:write'),
      'Bearer realm="x", error="insufficient_scope", scope="todo:write"',
    ],
    [
      'a missing role',
      new InsufficientScopeError('requires the role admin', 'role_missing'),
      'Bearer realm="x", error="insufficient_scope", error_description="requires the role admin"',
    ],
  ])('writes the challenge for %s', (_case, error, header) => {
    expect(formatWwwAuthenticate('x', error)).toBe(header);
  });

  it('writes the realm it is given', () => {
    expect(formatWwwAuthenticate('todo-api', new MissingTokenError())).toBe('Bearer realm="todo-api"');
  });

  it('keeps quotes, backslashes and line breaks out of the realm', () => {
    expect(formatWwwAuthenticate('a"b\\c\r\nd', new MissingTokenError())).toBe('Bearer realm="abcd"');
  });

  it('strips a description down to the RFC 6750 character set', () => {
    const error = new InvalidTokenError('bad "kid" \\ here\r\nSet-Cookie: x=1\tcafé ✓', 'token_invalid');
    expect(formatWwwAuthenticate('x', error)).toBe(
      'Bearer realm="x", error="invalid_token", error_description="bad kid  hereSet-Cookie: x=1caf "',
    );
  });

  it('keeps the header on one line whatever the description', () => {
    const header = formatWwwAuthenticate('x', new InvalidTokenError('a\rb\nc\u2028d\u0000e', 'token_invalid'));
    expect(header).toBe('Bearer realm="x", error="invalid_token", error_description="abcde"');
  });
});

describe('toQuotableText', () => {
  it('keeps every character RFC 6750 allows', () => {
    const allowed = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
      .filter((c) => c !== '"' && c !== '\\')
      .join('');
    expect(toQuotableText(allowed)).toBe(allowed);
  });

  it.each([
    ['a double quote', '"'],
    ['a backslash', '\\'],
    ['a carriage return', '\r'],
    ['a line feed', '\n'],
    ['a tab', '\t'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
    ['a Latin-1 letter', 'é'],
    ['a non-BMP character', '\u{1F600}'],
  ])('drops %s', (_case, char) => {
    expect(toQuotableText(`a${char}b`)).toBe('ab');
  });
});
