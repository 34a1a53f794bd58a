import { describe, expect, it } from '@jest/globals';
import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  type BearerTokenError,
} from './bearer-token.errors.js';
import { formatDpopChallenges, markDpopScheme, usedDpopScheme } from './dpop-challenge.js';
import { DpopNonceError, DpopProofError } from './dpop.errors.js';

const ALGS = ['ES256', 'RS256', 'PS256'];
const allowed = { mode: 'allowed', algorithms: ALGS } as const;
const required = { mode: 'required', algorithms: ALGS } as const;
const DPOP = 'DPoP realm="api", algs="ES256 RS256 PS256"';

describe('formatDpopChallenges', () => {
  it.each<[string, BearerTokenError, boolean, typeof allowed | typeof required, string]>([
    ['no token, allowed', new MissingTokenError(), false, allowed, `Bearer realm="api", ${DPOP}`],
    ['no token, required', new MissingTokenError(), false, required, DPOP],
    [
      'a bad bearer token, allowed',
      new InvalidTokenError('token expired', 'token_expired'),
      false,
      allowed,
      `Bearer realm="api", error="invalid_token", error_description="token expired", ${DPOP}`,
    ],
    [
      'a bad token under the DPoP scheme, allowed',
      new InvalidTokenError('token expired', 'token_expired'),
      true,
      allowed,
      'DPoP realm="api", error="invalid_token", error_description="token expired", algs="ES256 RS256 PS256", Bearer realm="api"',
    ],
    [
      'a bad proof, allowed',
      new DpopProofError('DPoP proof too old'),
      true,
      allowed,
      'DPoP realm="api", error="invalid_dpop_proof", algs="ES256 RS256 PS256", Bearer realm="api"',
    ],
    [
      'a bad proof, required',
      new DpopProofError('DPoP proof too old'),
      true,
      required,
      'DPoP realm="api", error="invalid_dpop_proof", algs="ES256 RS256 PS256"',
    ],
    [
      'a missing nonce, required',
      new DpopNonceError('DPoP proof needs the server nonce', 'n'),
      true,
      required,
      'DPoP realm="api", error="use_dpop_nonce", error_description="DPoP proof needs the server nonce", algs="ES256 RS256 PS256"',
    ],
    [
      'a bearer token while DPoP is required',
      new InvalidTokenError('a DPoP-bound token and proof are required', 'dpop_required'),
      false,
      required,
      'DPoP realm="api", error="invalid_token", error_description="a DPoP-bound token and proof are required", algs="ES256 RS256 PS256"',
    ],
    [
      'a missing scope under the DPoP scheme (403: one challenge)',
      new InsufficientScopeError('', 'scope_missing', 'todo:write'),
      true,
      allowed,
      'DPoP realm="api", error="insufficient_scope", scope="todo:write", algs="ES256 RS256 PS256"',
    ],
    [
      'a missing scope with a bearer token (403: one challenge)',
      new InsufficientScopeError('', 'scope_missing', 'todo:write'),
      false,
      allowed,
      'Bearer realm="api", error="insufficient_scope", scope="todo:write"',
    ],
    [
      'two DPoP headers (400)',
      new InvalidRequestError('request carries more than one DPoP header', 'bad_header'),
      false,
      required,
      'DPoP realm="api", error="invalid_request", algs="ES256 RS256 PS256"',
    ],
  ])('writes %s', (_case, error, dpopScheme, policy, header) => {
    expect(formatDpopChallenges('api', error, policy, dpopScheme)).toBe(header);
  });
});

describe('markDpopScheme', () => {
  it('marks Node’s request so that the platform’s request (raw) or Node’s own tells', () => {
    const raw = {};
    markDpopScheme(raw);
    expect(usedDpopScheme(raw)).toBe(true);
    expect(usedDpopScheme({ raw })).toBe(true);
    expect(usedDpopScheme({})).toBe(false);
  });
});
