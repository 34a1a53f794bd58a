import { describe, expect, it } from '@jest/globals';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError } from '../errors/bearer-token.errors.js';
import { DpopNonces } from '../dpop/dpop-nonces.js';
import { DpopProofValidator } from '../dpop/dpop-proof.validator.js';
import { MemoryDpopReplayStore } from '../dpop/memory-dpop-replay-store.js';
import { DpopTestKey } from '../testing/index.js';
import type { TokenVerifier, VerificationContext } from '../verification/token-verifier.js';
import { SenderConstrainedTokenVerifier, type SenderConstraintPolicy } from './sender-constrained-token.verifier.js';

const NOW = Date.UTC(2026, 0, 1);
const TOKEN = 'the-access-token';
const URL = 'http://api.test/me';
const key = DpopTestKey.generate();
const other = DpopTestKey.generate();

/** A verifier answering with `claims` for any token, counting its calls. */
function inner(claims: AccessTokenClaims) {
  const calls: string[] = [];
  const verifier: TokenVerifier = { verify: (token) => (calls.push(token), { token, claims, strategy: 'jwt' }) };
  return { verifier, calls };
}

function bound(
  claims: AccessTokenClaims,
  mode: SenderConstraintPolicy['dpop'] = 'allowed',
  extras: { nonces?: DpopNonces; replays?: MemoryDpopReplayStore } = {},
) {
  const { verifier, calls } = inner(claims);
  const proofs = new DpopProofValidator({
    algorithms: ['ES256'],
    maxAgeSeconds: 300,
    clockToleranceSeconds: 0,
    clock: () => NOW,
  });
  const replays = extras.replays ?? new MemoryDpopReplayStore(100, () => NOW);
  const dpop = mode === 'off' ? undefined : { proofs, replays, nonces: extras.nonces };
  return {
    calls,
    verifier: new SenderConstrainedTokenVerifier(verifier, { dpop: mode, replayWindowMs: 300_000 }, dpop),
  };
}

const bearer: VerificationContext = { source: 'header', method: 'GET', url: '/me', host: 'api.test' };
const dpop = (proof = key.proof({ url: URL, accessToken: TOKEN, iat: NOW / 1000 })): VerificationContext => ({
  ...bearer,
  scheme: 'dpop',
  dpopProof: proof,
});

async function refusal(run: () => unknown): Promise<BearerTokenError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(BearerTokenError);
    return error as BearerTokenError;
  }
  throw new Error('accepted');
}
const reasonOf = async (run: () => unknown) => {
  const error = await refusal(run);
  return [error.status, error.code, error.reason];
};

describe('SenderConstrainedTokenVerifier', () => {
  describe('verify, without a DPoP proof', () => {
    it.each(['off', 'allowed'] as const)('accepts a token without cnf as a bearer token (dpop %s)', async (mode) => {
      expect(await bound({ sub: 'u' }, mode).verifier.verify(TOKEN, bearer)).toMatchObject({ claims: { sub: 'u' } });
    });

    it.each(['off', 'allowed'] as const)('refuses a cnf.jkt token presented as bearer (dpop %s)', async (mode) => {
      const { verifier } = bound({ cnf: key.cnf }, mode);
      expect(await reasonOf(() => verifier.verify(TOKEN, bearer))).toEqual([401, 'invalid_token', 'token_bound']);
    });

    it('refuses any token without the DPoP scheme while DPoP is required, before verifying it', async () => {
      const { verifier, calls } = bound({ sub: 'u' }, 'required');
      expect(await reasonOf(() => verifier.verify(TOKEN, bearer))).toEqual([401, 'invalid_token', 'dpop_required']);
      expect(calls).toEqual([]);
    });

    it('accepts a cnf.x5t#S256 token over a connection whose certificate has that thumbprint', async () => {
      const { verifier } = bound({ cnf: { 'x5t#S256': 'thumb' } }, 'off');
      const context = { ...bearer, clientCertificateThumbprint: 'thumb' };
      expect(await verifier.verify(TOKEN, context)).toMatchObject({ token: TOKEN });
    });

    it.each<[string, AccessTokenClaims, string | undefined]>([
      ['a cnf.x5t#S256 token without a client certificate', { cnf: { 'x5t#S256': 'thumb' } }, undefined],
      ['a cnf.x5t#S256 token with another certificate', { cnf: { 'x5t#S256': 'thumb' } }, 'other'],
      ['a cnf with an unknown member', { cnf: { jwk: { kty: 'EC' } } }, undefined],
      ['a cnf with x5t#S256 and an unknown member', { cnf: { 'x5t#S256': 'thumb', kid: 'k' } }, 'thumb'],
      ['an empty cnf', { cnf: {} }, undefined],
      ['a cnf that is a string', { cnf: 'bound' }, undefined],
      ['a cnf that is null', { cnf: null }, undefined],
      ['an introspection answer typed DPoP without cnf', { token_type: 'DPoP' }, undefined],
    ])('refuses %s', async (_case, claims, thumbprint) => {
      const { verifier } = bound(claims);
      const context = { ...bearer, clientCertificateThumbprint: thumbprint };
      expect(await reasonOf(() => verifier.verify(TOKEN, context))).toEqual([401, 'invalid_token', 'token_bound']);
    });
  });

  describe('verify, with the DPoP scheme', () => {
    it('accepts a cnf.jkt token with a valid proof by that key', async () => {
      const { verifier } = bound({ cnf: key.cnf });
      expect(await verifier.verify(TOKEN, dpop())).toMatchObject({ token: TOKEN, claims: { cnf: key.cnf } });
    });

    it('refuses an answer typed DPoP without cnf under the DPoP scheme too', async () => {
      const { verifier } = bound({ token_type: 'DPoP' });
      expect(await reasonOf(() => verifier.verify(TOKEN, dpop()))).toEqual([401, 'invalid_token', 'token_bound']);
    });

    it('refuses a token without cnf.jkt (no downgrade through the DPoP scheme)', async () => {
      const { verifier } = bound({ sub: 'u' });
      expect(await reasonOf(() => verifier.verify(TOKEN, dpop()))).toEqual([401, 'invalid_token', 'token_bound']);
    });

    it('refuses a valid proof by a key other than the token’s cnf.jkt as invalid_token (RFC 9449 §7.1)', async () => {
      const { verifier } = bound({ cnf: other.cnf });
      expect(await reasonOf(() => verifier.verify(TOKEN, dpop()))).toEqual([401, 'invalid_token', 'token_bound']);
    });

    it('refuses a cnf.jkt token that also asks for a certificate the connection lacks', async () => {
      const { verifier } = bound({ cnf: { ...key.cnf, 'x5t#S256': 'thumb' } });
      expect(await reasonOf(() => verifier.verify(TOKEN, dpop()))).toEqual([401, 'invalid_token', 'token_bound']);
    });

    it('refuses a bad proof before the token is verified', async () => {
      const { verifier, calls } = bound({ cnf: key.cnf });
      const reason = await reasonOf(() => verifier.verify(TOKEN, dpop('x.y.z')));
      expect(reason).toEqual([401, 'invalid_dpop_proof', 'dpop_proof_invalid']);
      expect(calls).toEqual([]);
    });

    it('refuses a proof replayed, and only once the first use was accepted', async () => {
      const { verifier } = bound({ cnf: key.cnf });
      const context = dpop();
      await verifier.verify(TOKEN, context);
      expect(await reasonOf(() => verifier.verify(TOKEN, context))).toEqual([
        401,
        'invalid_dpop_proof',
        'dpop_proof_invalid',
      ]);
    });

    it('does not burn a proof’s jti when the token is refused', async () => {
      const replays = new MemoryDpopReplayStore(100, () => NOW);
      const context = dpop();
      await refusal(() => bound({ sub: 'unbound' }, 'allowed', { replays }).verifier.verify(TOKEN, context));
      expect(await bound({ cnf: key.cnf }, 'allowed', { replays }).verifier.verify(TOKEN, context)).toBeDefined();
    });

    it('fails closed (503) when the replay store cannot answer', async () => {
      const { verifier: inside } = inner({ cnf: key.cnf });
      const proofs = new DpopProofValidator({
        algorithms: ['ES256'],
        maxAgeSeconds: 300,
        clockToleranceSeconds: 0,
        clock: () => NOW,
      });
      const down = {
        claim: () => Promise.reject(new AuthorizationServerUnavailableError('redis down', 'dpop_store_unavailable')),
      };
      const verifier = new SenderConstrainedTokenVerifier(
        inside,
        { dpop: 'allowed', replayWindowMs: 1 },
        { proofs, replays: down },
      );
      await expect(verifier.verify(TOKEN, dpop())).rejects.toBeInstanceOf(AuthorizationServerUnavailableError);
    });

    it('refuses the DPoP scheme while DPoP is off (a custom resolver reporting it)', async () => {
      const { verifier } = bound({ cnf: key.cnf }, 'off');
      expect(await reasonOf(() => verifier.verify(TOKEN, dpop()))).toEqual([401, 'invalid_token', 'token_bound']);
    });
  });

  describe('verify, with server nonces', () => {
    const nonces = new DpopNonces(undefined, () => NOW);
    const withNonce = (nonce?: string) => dpop(key.proof({ url: URL, accessToken: TOKEN, iat: NOW / 1000, nonce }));

    it('accepts a proof carrying the current nonce', async () => {
      const { verifier } = bound({ cnf: key.cnf }, 'allowed', { nonces });
      expect(await verifier.verify(TOKEN, withNonce(nonces.current() as string))).toBeDefined();
    });

    it.each([
      ['without a nonce', undefined],
      ['with an unknown nonce', 'made-up'],
    ])('answers use_dpop_nonce with the nonce to use for a proof %s', async (_case, nonce) => {
      const { verifier, calls } = bound({ cnf: key.cnf }, 'allowed', { nonces });
      const error = await refusal(() => verifier.verify(TOKEN, withNonce(nonce)));
      expect([error.status, error.code, error.reason]).toEqual([401, 'use_dpop_nonce', 'dpop_nonce_required']);
      expect((error as unknown as { nonce: string }).nonce).toBe(nonces.current());
      expect(calls).toEqual([]);
    });
  });
});
