import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Where the nonce secret comes from: this process, or a store shared by replicas. */
export type NonceSecret = () => Buffer | Promise<Buffer>;

/** One nonce is current for this many seconds; the previous one is still accepted. */
export const NONCE_WINDOW_SECONDS = 60;

/**
 * Server nonces for DPoP proofs (RFC 9449 §8), stateless: a nonce is the number of a time
 * window and an HMAC of it under a secret, so any replica holding the secret can issue and
 * check them without storing one. The current window's nonce and the previous one are
 * accepted (rotation), so a nonce lives 60 to 120 s; an older or forged one is refused.
 * The secret is per process, or shared through Redis (`RedisDpopStore.sharedSecret`).
 */
export class DpopNonces {
  constructor(
    private readonly secret: NonceSecret = processSecret(),
    private readonly clock: () => number = Date.now,
  ) {}

  /** The nonce to hand out now. */
  current(): string | Promise<string> {
    return this.withSecret((secret) => nonceFor(secret, this.window()));
  }

  /** True when `nonce` is the current or the previous window's. */
  accepts(nonce: string | undefined): boolean | Promise<boolean> {
    if (nonce === undefined) return false;
    const dot = nonce.indexOf('.');
    const window = Number.parseInt(nonce.slice(0, dot), 36);
    const now = this.window();
    if (dot < 1 || !(window === now || window === now - 1)) return false;
    return this.withSecret((secret) => {
      const expected = Buffer.from(nonceFor(secret, window));
      const given = Buffer.from(nonce);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  private window(): number {
    return Math.floor(this.clock() / 1000 / NONCE_WINDOW_SECONDS);
  }

  private withSecret<T>(next: (secret: Buffer) => T): T | Promise<T> {
    const secret = this.secret();
    return Buffer.isBuffer(secret) ? next(secret) : (secret as Promise<Buffer>).then(next);
  }
}

function nonceFor(secret: Buffer, window: number): string {
  const id = window.toString(36);
  return `${id}.${createHmac('sha256', secret).update(id).digest('base64url').slice(0, 32)}`;
}

function processSecret(): NonceSecret {
  const secret = randomBytes(32);
  return () => secret;
}
