import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts and authenticates small JSON values for a cookie (AES-256-GCM), so the page can
 * neither read nor forge them. The key is random per process: a restart, or another replica,
 * makes sealed values unreadable, which suits short-lived state such as a login in progress.
 * The cookie name is authenticated too (GCM additional data), so a value sealed for one
 * cookie is refused in another; the expiry travels inside the ciphertext.
 */
export class CookieSealer {
  constructor(
    private readonly key: Buffer = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {
    if (key.length !== 32) throw new Error('CookieSealer: the key must be 32 bytes (AES-256)');
  }

  /** `base64url(iv | tag | ciphertext)` of `{ value, exp }`. */
  seal(cookieName: string, value: unknown, maxAgeSeconds: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(cookieName));
    const plaintext = JSON.stringify({ value, exp: this.now() + maxAgeSeconds * 1000 });
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** The value, or undefined when `sealed` was altered, sealed for another cookie or key, or expired. */
  open(cookieName: string, sealed: string | undefined): unknown {
    if (!sealed) return undefined;
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(cookieName));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      const { value, exp } = JSON.parse(plaintext.toString('utf8')) as { value: unknown; exp: number };
      return exp > this.now() ? value : undefined;
    } catch {
      return undefined; // authentication failed: altered, or sealed with another key
    }
  }
}
