import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Wrong codes an interaction may submit before it ends with `access_denied`. */
export const MAX_ONE_TIME_CODE_FAILURES = 3;

/**
 * The second factor of the DEV server: a six-digit one-time code per interaction, derived
 * from the interaction id with a key made at start-up (HMAC-SHA256), so nothing is stored and a
 * code is good for its own sign-in only. A real server would send it by SMS or e-mail, or use
 * an authenticator app; this one prints it on the page it asks for it: development only.
 */
export class DevOneTimeCodes {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  /** The code of interaction `uid`: six digits, leading zeros kept. */
  codeFor(uid: string): string {
    const mac = createHmac('sha256', this.key).update(uid).digest();
    return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
  }

  /** True when `code` is the code of interaction `uid`. Compares in constant time. */
  matches(uid: string, code: string): boolean {
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(this.codeFor(uid)), digest(code.trim()));
  }
}
