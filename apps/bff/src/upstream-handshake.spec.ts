import { describe, expect, it } from '@jest/globals';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { dpopKeyPair, dpopKeyThumbprint, generateDpopKey } from './dpop-key.js';
import { UpstreamHandshake } from './upstream-handshake.js';

const ISSUER = 'http://localhost:4000';
const LIVE = new URL('http://todo.example.test:3001/live');

const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString()) as Record<string, unknown>;

describe('UpstreamHandshake', () => {
  describe('headersFor', () => {
    it('sends a bearer token as Authorization: Bearer, with no proof', async () => {
      const handshake = new UpstreamHandshake(ISSUER, 'bff');
      await expect(handshake.headersFor(LIVE, { accessToken: 'at-1', expiresAt: 0 })).resolves.toEqual({
        authorization: 'Bearer at-1',
      });
    });

    it("sends a DPoP-bound token with a proof by the BFF's key for GET and the URL (RFC 9449 §4.2)", async () => {
      const key = generateDpopKey();
      const handshake = new UpstreamHandshake(ISSUER, 'bff', await dpopKeyPair(key));
      const tokens = { accessToken: 'at-2', expiresAt: 0, dpopJkt: dpopKeyThumbprint(key) };
      const headers = await handshake.headersFor(LIVE, tokens);
      expect(headers.authorization).toBe('DPoP at-2');
      const [header, payload, signature] = headers.dpop!.split('.') as [string, string, string];
      const jwk = decode(header).jwk as Record<string, string>;
      expect(decode(header)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
      expect(jwk.d).toBeUndefined();
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
      expect(dpopKeyThumbprint(publicKey)).toBe(tokens.dpopJkt);
      const signed = Buffer.from(`${header}.${payload}`);
      const valid = verify(
        'sha256',
        signed,
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      expect(valid).toBe(true);
      expect(decode(payload)).toMatchObject({
        htm: 'GET',
        htu: 'http://todo.example.test:3001/live',
        ath: createHash('sha256').update('at-2').digest('base64url'),
      });
      // a new proof each time: a jti is never reused
      const again = await handshake.headersFor(LIVE, tokens);
      expect(decode(again.dpop!.split('.')[1]!).jti).not.toBe(decode(payload).jti);
    });

    it('refuses a DPoP-bound token when the BFF holds no DPoP key', async () => {
      const handshake = new UpstreamHandshake(ISSUER, 'bff');
      await expect(handshake.headersFor(LIVE, { accessToken: 'at', expiresAt: 0, dpopJkt: 'x' })).rejects.toThrow(
        'a DPoP-bound token and no DPoP key',
      );
    });
  });
});
