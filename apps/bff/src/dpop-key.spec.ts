import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { dpopKeyPair, dpopKeyThumbprint, readDpopKey } from './dpop-key.js';

describe('dpop-key', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  describe('dpopKeyThumbprint', () => {
    it('is the RFC 7638 SHA-256 thumbprint of the public JWK', () => {
      // RFC 7638 §3.1's construction, written out for an EC key
      const { crv, kty, x, y } = key.export({ format: 'jwk' });
      const expected = createHash('sha256')
        .update(`{"crv":"${crv}","kty":"${kty}","x":"${x}","y":"${y}"}`)
        .digest('base64url');
      expect(dpopKeyThumbprint(key)).toBe(expected);
    });
  });

  describe('dpopKeyPair', () => {
    it('gives a pair whose private half signs what the public half verifies, and only the public half is exportable', async () => {
      const { privateKey, publicKey } = await dpopKeyPair(key);
      const data = new TextEncoder().encode('proof');
      const algorithm = { name: 'ECDSA', hash: 'SHA-256' };
      const signature = await webcrypto.subtle.sign(algorithm, privateKey, data);
      expect(await webcrypto.subtle.verify(algorithm, publicKey, signature, data)).toBe(true);
      expect([privateKey.extractable, publicKey.extractable]).toEqual([false, true]);
      const exported = await webcrypto.subtle.exportKey('jwk', publicKey);
      expect(exported).not.toHaveProperty('d');
    });
  });

  describe('readDpopKey', () => {
    it('refuses a public key, without repeating the value', () => {
      const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ format: 'pem', type: 'spki' })
        .toString();
      expect(() => readDpopKey(pem)).toThrow('expected an EC P-256 private key, as a JWK or a PEM');
    });
  });
});
