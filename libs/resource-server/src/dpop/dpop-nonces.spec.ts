import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DpopNonces, NONCE_WINDOW_SECONDS } from './dpop-nonces.js';

const T0 = Date.UTC(2026, 0, 1);
const WINDOW_MS = NONCE_WINDOW_SECONDS * 1000;

function nonces(secret = randomBytes(32)) {
  const clock = { now: T0 };
  return {
    clock,
    nonces: new DpopNonces(
      () => secret,
      () => clock.now,
    ),
  };
}

describe('DpopNonces', () => {
  describe('accepts', () => {
    it('accepts the current nonce', () => {
      const { nonces: n } = nonces();
      expect(n.accepts(n.current() as string)).toBe(true);
    });

    it('accepts the previous window’s nonce after rotation, and not the one before', () => {
      const { clock, nonces: n } = nonces();
      const first = n.current() as string;
      clock.now += WINDOW_MS;
      expect(n.current()).not.toBe(first);
      expect(n.accepts(first)).toBe(true);
      clock.now += WINDOW_MS;
      expect(n.accepts(first)).toBe(false);
    });

    it('refuses a nonce from a window not reached yet', () => {
      const { clock, nonces: n } = nonces();
      clock.now += WINDOW_MS;
      const later = n.current() as string;
      clock.now -= WINDOW_MS;
      expect(n.accepts(later)).toBe(false);
    });

    it.each([
      ['no nonce', undefined],
      ['an empty nonce', ''],
      ['a window without its MAC', '1.'],
      ['garbage', 'not-a-nonce'],
    ])('refuses %s', (_case, nonce) => {
      expect(nonces().nonces.accepts(nonce)).toBe(false);
    });

    it('refuses a nonce made under another secret (another deployment)', () => {
      const ours = nonces();
      const theirs = new DpopNonces(
        () => randomBytes(32),
        () => ours.clock.now,
      );
      expect(ours.nonces.accepts(theirs.current() as string)).toBe(false);
    });

    it('refuses the current nonce with its MAC altered', () => {
      const { nonces: n } = nonces();
      const nonce = n.current() as string;
      const altered = nonce.slice(0, -1) + (nonce.endsWith('A') ? 'B' : 'A');
      expect(n.accepts(altered)).toBe(false);
    });
  });

  describe('with a shared secret', () => {
    it('lets two instances accept each other’s nonces', async () => {
      const secret = randomBytes(32);
      const a = new DpopNonces(
        async () => secret,
        () => T0,
      );
      const b = new DpopNonces(
        async () => secret,
        () => T0,
      );
      await expect(b.accepts(await a.current())).resolves.toBe(true);
    });

    it('fails when the secret cannot be had, rather than accepting', async () => {
      const down = new DpopNonces(
        () => Promise.reject(new Error('redis down')),
        () => T0,
      );
      const nonce = nonces().nonces.current() as string;
      await expect(Promise.resolve(down.accepts(nonce))).rejects.toThrow('redis down');
    });
  });
});
