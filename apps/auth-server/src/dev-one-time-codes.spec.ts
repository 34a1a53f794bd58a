import { describe, expect, it } from '@jest/globals';
import { DevOneTimeCodes } from './dev-one-time-codes.js';

describe('DevOneTimeCodes', () => {
  const key = Buffer.alloc(32, 7);

  describe('codeFor', () => {
    it('gives six digits, the same for the same interaction', () => {
      const codes = new DevOneTimeCodes(key);
      expect(codes.codeFor('uid-1')).toMatch(/^\d{6}$/);
      expect(codes.codeFor('uid-1')).toBe(codes.codeFor('uid-1'));
    });

    it('gives other codes to other interactions and under another key', () => {
      const codes = new DevOneTimeCodes(key);
      const many = new Set(Array.from({ length: 50 }, (_, i) => codes.codeFor(`uid-${i}`)));
      expect(many.size).toBeGreaterThan(45); // 50 draws from a million rarely collide
      expect(new DevOneTimeCodes(Buffer.alloc(32, 8)).codeFor('uid-1')).not.toBe(codes.codeFor('uid-1'));
    });
  });

  describe('matches', () => {
    it('accepts the interaction’s own code (surrounding spaces ignored) and nothing else', () => {
      const codes = new DevOneTimeCodes(key);
      const code = codes.codeFor('uid-1');
      expect(codes.matches('uid-1', code)).toBe(true);
      expect(codes.matches('uid-1', ` ${code} `)).toBe(true);
      expect(codes.matches('uid-2', code)).toBe(codes.codeFor('uid-2') === code);
      expect(codes.matches('uid-1', '')).toBe(false);
      expect(codes.matches('uid-1', `${code}0`)).toBe(false);
    });
  });
});
