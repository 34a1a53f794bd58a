import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { graphqlErrorFor, GraphqlRejectionError } from './graphql-rejection.writer.js';

const CHALLENGE = 'Bearer realm="x", error="invalid_token", error_description="token expired"';

describe('graphqlErrorFor', () => {
  it.each<[string, number, Record<string, string>, Record<string, unknown>, Record<string, unknown>]>([
    [
      'an expired token',
      401,
      { 'WWW-Authenticate': CHALLENGE },
      { error: 'invalid_token', error_description: 'token expired', reason: 'token_expired' },
      {
        code: 'UNAUTHENTICATED',
        status: 401,
        reason: 'token_expired',
        error: 'invalid_token',
        wwwAuthenticate: CHALLENGE,
      },
    ],
    [
      'a missing scope',
      403,
      { 'WWW-Authenticate': 'Bearer realm="x", error="insufficient_scope", scope="a"' },
      { error: 'insufficient_scope', error_description: 'd', reason: 'scope_missing', scope: 'a' },
      { code: 'FORBIDDEN', status: 403, reason: 'scope_missing', error: 'insufficient_scope', scope: 'a' },
    ],
    [
      'two tokens',
      400,
      { 'WWW-Authenticate': 'Bearer realm="x", error="invalid_request"' },
      { error: 'invalid_request', error_description: 'd', reason: 'two_tokens' },
      { code: 'BAD_REQUEST', status: 400, reason: 'two_tokens', error: 'invalid_request' },
    ],
    [
      'an unreachable authorization server',
      503,
      { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      { error: 'temporarily_unavailable', error_description: 'authorization server unavailable' },
      { code: 'SERVICE_UNAVAILABLE', status: 503, error: 'temporarily_unavailable', retryAfterSeconds: 5 },
    ],
    [
      'a DPoP nonce to use',
      401,
      { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': 'n1' },
      { error: 'use_dpop_nonce', error_description: 'd', reason: 'dpop_nonce_required' },
      { code: 'UNAUTHENTICATED', reason: 'dpop_nonce_required', dpopNonce: 'n1' },
    ],
  ])('carries %s in extensions', (_case, status, headers, body, extensions) => {
    const reason = (body['reason'] as string | undefined) ?? 'jwks_unreachable';
    const error = graphqlErrorFor({ status, headers, body, reason });
    expect(error).toBeInstanceOf(GraphqlRejectionError);
    expect(error.extensions).toMatchObject({ ...extensions, reason });
    expect(error.message).toBe(body['error_description']);
  });

  it('answers a missing token with the body message and no error code', () => {
    const error = graphqlErrorFor({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="x"' },
      body: { statusCode: 401, message: 'bearer token required', reason: 'token_missing' },
      reason: 'token_missing',
    });
    expect(error.message).toBe('bearer token required');
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
      reason: 'token_missing',
      wwwAuthenticate: 'Bearer realm="x"',
    });
  });

  it('has no stack frames', () => {
    const error = graphqlErrorFor({
      status: 403,
      headers: {},
      body: { error: 'csrf_rejected' },
      reason: 'csrf_rejected',
    });
    expect(error.stack).toBe('GraphqlRejectionError: access refused');
  });

  it("becomes a GraphQLError's extensions, as graphql-js locates a resolver's error", () => {
    const original = graphqlErrorFor({
      status: 403,
      headers: {},
      body: { error: 'csrf_rejected' },
      reason: 'csrf_rejected',
    });
    const located = new GraphQLError(original.message, { originalError: original, path: ['me'] });
    expect(located.toJSON()).toEqual({
      message: 'access refused',
      path: ['me'],
      extensions: { code: 'FORBIDDEN', status: 403, reason: 'csrf_rejected', error: 'csrf_rejected' },
    });
  });
});
