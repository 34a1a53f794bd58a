import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AuthorizationServerUnavailableError } from './authorization-server-unavailable.error.js';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
} from './bearer-token.errors.js';
import { toBearerError } from './to-bearer-error.js';

/** What jsonwebtoken threw, for feeding the real error to the mapping. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected jsonwebtoken to throw');
}

describe('toBearerError', () => {
  it.each([
    ['MissingTokenError', new MissingTokenError()],
    ['InvalidRequestError', new InvalidRequestError('two tokens', 'two_tokens')],
    ['InvalidTokenError', new InvalidTokenError('token expired', 'token_expired')],
    ['InsufficientScopeError', new InsufficientScopeError(undefined, 'scope_missing', 'todo:write')],
    ['AuthorizationServerUnavailableError', new AuthorizationServerUnavailableError('JWKS down', 'jwks_unreachable')],
  ])('returns our own %s unchanged', (_case, error) => {
    expect(toBearerError(error)).toBe(error);
  });

  it.each([
    ['TokenExpiredError', 'jwt expired', 'token expired', 'token_expired'],
    ['NotBeforeError', 'jwt not active', 'token is not valid yet', 'token_not_yet_valid'],
    ['JsonWebTokenError', 'invalid signature', 'token signature is invalid', 'bad_signature'],
    ['JsonWebTokenError', 'jwt signature is required', 'token is not signed', 'unsigned'],
    ['JsonWebTokenError', 'invalid algorithm', 'token algorithm is not accepted', 'alg_not_allowed'],
    ['JsonWebTokenError', 'jwt malformed', 'token is malformed', 'malformed'],
    ['JsonWebTokenError', 'invalid token', 'token is malformed', 'malformed'],
    ['JsonWebTokenError', 'jwt must be provided', 'token is malformed', 'malformed'],
    [
      'JsonWebTokenError',
      'secretOrPublicKey must be an asymmetric key when using RS256',
      'token algorithm does not match its key',
      'alg_key_mismatch',
    ],
    ['JsonWebTokenError', 'something else', 'token is invalid', 'jwt_invalid'],
    ['JsonWebTokenError', 'jwt audience invalid. expected: todo-api', 'token is invalid', 'jwt_invalid'],
    ['JsonWebTokenError', 'xinvalid signature', 'token is invalid', 'jwt_invalid'],
    ['JsonWebTokenError', 'invalid signature, really', 'token is invalid', 'jwt_invalid'],
  ])('maps a %s saying "%s" to invalid_token "%s" (%s)', (name, message, description, reason) => {
    const error = Object.assign(new Error(message), { name });
    const mapped = toBearerError(error);
    expect(mapped).toBeInstanceOf(InvalidTokenError);
    expect(mapped).toMatchObject({ status: 401, code: 'invalid_token', description, reason });
    expect(mapped.cause).toBe(error);
  });

  it('maps a jsonwebtoken-named plain object by its name', () => {
    const error = { name: 'TokenExpiredError', message: 'jwt expired' };
    expect(toBearerError(error)).toMatchObject({ code: 'invalid_token', reason: 'token_expired', cause: error });
  });

  it('maps a JsonWebTokenError without a message to jwt_invalid', () => {
    expect(toBearerError({ name: 'JsonWebTokenError' })).toMatchObject({
      code: 'invalid_token',
      reason: 'jwt_invalid',
    });
  });

  it.each<[string, unknown]>([
    ['a TypeError', new TypeError('Cannot read properties of undefined')],
    ['a plain Error', new Error('boom')],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'jwt expired'],
    ['a number', 42],
    ['an object with an unknown name', { name: 'FetchError', message: 'invalid signature' }],
  ])('maps %s to invalid_token verification_error keeping the cause', (_case, error) => {
    const mapped = toBearerError(error);
    expect(mapped).toBeInstanceOf(InvalidTokenError);
    expect(mapped).toMatchObject({ status: 401, code: 'invalid_token', reason: 'verification_error' });
    expect((mapped as InvalidTokenError).description).toBe('token is invalid');
    expect(mapped.cause).toBe(error);
  });

  it('never puts the cause message in the description', () => {
    const mapped = toBearerError(new TypeError('secret=hunter2 token=eyJ...')) as InvalidTokenError;
    expect(mapped.description).toBe('token is invalid');
    expect(mapped.message).not.toContain('hunter2');
  });

  describe('with jsonwebtoken errors', () => {
    const secret = 'a-test-secret-of-sufficient-length';
    const now = Math.floor(Date.now() / 1000);

    it.each([
      [
        'TokenExpiredError built directly',
        () => new jwt.TokenExpiredError('jwt expired', new Date(0)),
        'token_expired',
      ],
      [
        'NotBeforeError built directly',
        () => new jwt.NotBeforeError('jwt not active', new Date(0)),
        'token_not_yet_valid',
      ],
      ['JsonWebTokenError built directly', () => new jwt.JsonWebTokenError('invalid signature'), 'bad_signature'],
      [
        'an expired token',
        () => thrownBy(() => jwt.verify(jwt.sign({ exp: now - 60 }, secret), secret)),
        'token_expired',
      ],
      [
        'a token not valid yet',
        () => thrownBy(() => jwt.verify(jwt.sign({ nbf: now + 3600 }, secret), secret)),
        'token_not_yet_valid',
      ],
      [
        'a token signed with another secret',
        () => thrownBy(() => jwt.verify(jwt.sign({}, 'another-secret-of-some-length'), secret)),
        'bad_signature',
      ],
      [
        'an unsigned token',
        () => thrownBy(() => jwt.verify(jwt.sign({}, null, { algorithm: 'none' }), secret)),
        'unsigned',
      ],
      [
        'an algorithm outside the list',
        () => thrownBy(() => jwt.verify(jwt.sign({}, secret), secret, { algorithms: ['HS384'] })),
        'alg_not_allowed',
      ],
      ['a token that is no JWT', () => thrownBy(() => jwt.verify('not-a-jwt', secret)), 'malformed'],
      [
        'a typ JWT token whose payload is not JSON (jsonwebtoken throws a SyntaxError)',
        () => {
          const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":').toString('base64url')}`;
          const signature = createHmac('sha256', secret).update(input).digest('base64url');
          return thrownBy(() => jwt.verify(`${input}.${signature}`, secret));
        },
        'malformed',
      ],
      ['three empty segments', () => thrownBy(() => jwt.verify('a.b.c', secret)), 'malformed'],
      ['an empty token', () => thrownBy(() => jwt.verify('', secret)), 'malformed'],
      [
        'a wrong audience',
        () => thrownBy(() => jwt.verify(jwt.sign({ aud: 'help-api' }, secret), secret, { audience: 'todo-api' })),
        'jwt_invalid',
      ],
    ])('maps %s', (_case, produce, reason) => {
      const error = produce();
      const mapped = toBearerError(error);
      expect(mapped).toBeInstanceOf(InvalidTokenError);
      expect(mapped).toMatchObject({ status: 401, code: 'invalid_token', reason });
      expect(mapped.cause).toBe(error);
    });

    it('maps an RS256 token checked with a shared secret to alg_key_mismatch', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = jwt.sign({}, privateKey, { algorithm: 'RS256' });
      const error = thrownBy(() => jwt.verify(token, secret, { algorithms: ['RS256'] }));
      expect(error).toBeInstanceOf(jwt.JsonWebTokenError);
      expect(toBearerError(error)).toMatchObject({ code: 'invalid_token', reason: 'alg_key_mismatch', cause: error });
    });
  });
});
