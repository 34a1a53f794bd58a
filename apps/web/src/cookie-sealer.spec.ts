import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CookieSealer } from './cookie-sealer.js';

const LOGIN = { verifier: 'v'.repeat(43), state: 's1', nonce: 'n1' };

describe('CookieSealer', () => {
  const now = 1_700_000_000_000;
  const key = randomBytes(32);
  const sealer = new CookieSealer(key, () => now);

  describe('seal', () => {
    it('hides the value from whoever reads the cookie', () => {
      const sealed = sealer.seal('app.login', LOGIN, 600);
      expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('s1');
      expect(sealed).not.toContain(LOGIN.verifier);
    });

    it('gives a different sealed value each time (random IV)', () => {
      expect(sealer.seal('app.login', LOGIN, 600)).not.toBe(sealer.seal('app.login', LOGIN, 600));
    });
  });

  describe('open', () => {
    it('returns the sealed value before it expires', () => {
      expect(sealer.open('app.login', sealer.seal('app.login', LOGIN, 600))).toEqual(LOGIN);
    });

    it('returns undefined once the value expired', () => {
      const sealed = sealer.seal('app.login', LOGIN, 600);
      const later = new CookieSealer(key, () => now + 600_000);
      expect(later.open('app.login', sealed)).toBeUndefined();
    });

    it('returns undefined for a value sealed for another cookie', () => {
      expect(sealer.open('app.other', sealer.seal('app.login', LOGIN, 600))).toBeUndefined();
    });

    it('returns undefined for a value sealed by another process (another key)', () => {
      expect(new CookieSealer().open('app.login', sealer.seal('app.login', LOGIN, 600))).toBeUndefined();
    });

    it.each(['ciphertext', 'tag', 'iv'])('returns undefined when one bit of the %s changed', (part) => {
      const bytes = Buffer.from(sealer.seal('app.login', LOGIN, 600), 'base64url');
      bytes[{ iv: 0, tag: 12, ciphertext: 28 }[part]!]! ^= 1;
      expect(sealer.open('app.login', bytes.toString('base64url'))).toBeUndefined();
    });

    it.each([undefined, '', 'abc', 'not base64url!', 'A'.repeat(40)])('returns undefined for %j', (value) => {
      expect(sealer.open('app.login', value)).toBeUndefined();
    });
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new CookieSealer(randomBytes(16))).toThrow('the key must be 32 bytes');
  });
});
