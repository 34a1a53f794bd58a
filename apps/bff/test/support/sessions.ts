import type { Redis } from 'ioredis';
import type { BffSessionData } from '../../src/token-set.js';

/** A session as connect-redis keeps it (`bff:sess:<id>`, JSON). */
export interface StoredSession {
  readonly key: string;
  readonly data: BffSessionData;
}

/** The logged-in session of `sub` in the BFF's Redis. */
export async function storedSession(store: Redis, sub: string): Promise<StoredSession> {
  for (const key of await store.keys('bff:sess:*')) {
    const data = JSON.parse((await store.get(key))!) as BffSessionData;
    if (data.user?.sub === sub && data.tokens) return { key, data };
  }
  throw new Error(`no session of ${sub}`);
}

/**
 * Changes one character of the signature of the access token in `sub`'s session (keeping its
 * TTL): a token the APIs refuse with `reason: "signature_invalid"`, as a damaged or forged one.
 */
export async function damageAccessToken(store: Redis, sub: string): Promise<void> {
  const { key, data } = await storedSession(store, sub);
  const token = data.tokens!.accessToken;
  const changed = token.at(-2) === 'A' ? 'B' : 'A';
  const damaged = { ...data, tokens: { ...data.tokens!, accessToken: token.slice(0, -2) + changed + token.at(-1) } };
  await store.set(key, JSON.stringify(damaged), 'KEEPTTL');
}
