import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '../errors/bearer-token.errors.js';
import { HeaderOrCookieTokenResolver } from './header-or-cookie-token-resolver.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';
const PROOF = 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.c2ln';

function request(rawHeaders: readonly string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
  return { rawHeaders: [...rawHeaders], headers } as unknown as IncomingMessage;
}

function badHeader(run: () => unknown): InvalidRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).reason).toBe('bad_header');
    return error as InvalidRequestError;
  }
  throw new Error('resolved');
}

describe('HeaderOrCookieTokenResolver with DPoP (RFC 9449 §7.1)', () => {
  const dpop = new HeaderOrCookieTokenResolver('app.at', true);
  const off = new HeaderOrCookieTokenResolver('app.at');

  describe('resolve', () => {
    it.each(['DPoP', 'dpop', 'DPOP'])('reads `Authorization: %s <token>` with its one DPoP header', (scheme) => {
      const found = dpop.resolve(request(['Authorization', `${scheme} ${TOKEN}`, 'DPoP', PROOF]));
      expect(found).toEqual({ token: TOKEN, source: 'header', scheme: 'dpop', dpopProof: PROOF });
    });

    it('reports no proof when the DPoP header is missing (the verifier refuses it)', () => {
      expect(dpop.resolve(request(['Authorization', `DPoP ${TOKEN}`]))).toMatchObject({ dpopProof: undefined });
    });

    it('still reads Bearer tokens, without a scheme of their own', () => {
      expect(dpop.resolve(request(['Authorization', `Bearer ${TOKEN}`]))).toEqual({ token: TOKEN, source: 'header' });
    });

    it('counts the DPoP scheme as no token while DPoP is off', () => {
      expect(off.resolve(request(['Authorization', `DPoP ${TOKEN}`, 'DPoP', PROOF]))).toBeUndefined();
    });

    it.each<[string, string[]]>([
      ['two DPoP headers', ['Authorization', `DPoP ${TOKEN}`, 'DPoP', PROOF, 'dpop', PROOF]],
      ['two DPoP headers with a Bearer token', ['Authorization', `Bearer ${TOKEN}`, 'DPoP', PROOF, 'DPoP', PROOF]],
      ['the DPoP scheme without a token', ['Authorization', 'DPoP', 'DPoP', PROOF]],
      ['a DPoP token outside b64token', ['Authorization', `DPoP ${TOKEN}"`, 'DPoP', PROOF]],
    ])('answers 400 bad_header for %s', (_case, headers) => {
      expect(badHeader(() => dpop.resolve(request(headers))).status).toBe(400);
    });

    it('answers 400 two_tokens when the DPoP token and the cookie differ', () => {
      const headers = ['Authorization', `DPoP ${TOKEN}`, 'DPoP', PROOF, 'Cookie', 'app.at=other'];
      expect(() => dpop.resolve(request(headers))).toThrow(InvalidRequestError);
    });
  });
});
