import { createHash, timingSafeEqual } from 'node:crypto';

/** A seeded user of the dev authorization server. Passwords are in clear: development only. */
export interface DevUser {
  /** The `sub` of every token issued for this user (here the username, for readable demos). */
  readonly sub: string;
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
  /** Copied into access tokens, ID tokens and userinfo as the `roles` claim. */
  readonly roles: readonly string[];
}

/** alice (admin), bob (support) and carol (no role); each password equals the username. */
export const DEV_USERS: readonly DevUser[] = [
  {
    sub: 'alice',
    username: 'alice',
    password: 'alice',
    name: 'Alice Admin',
    email: 'alice@example.com',
    roles: ['admin'],
  },
  { sub: 'bob', username: 'bob', password: 'bob', name: 'Bob Support', email: 'bob@example.com', roles: ['support'] },
  { sub: 'carol', username: 'carol', password: 'carol', name: 'Carol User', email: 'carol@example.com', roles: [] },
];

/** The user whose `sub` this is, if any. */
export function findDevUser(sub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.sub === sub);
}

/** The user these credentials belong to, or undefined. Compares in constant time. */
export function checkDevLogin(username: string, password: string): DevUser | undefined {
  const user = DEV_USERS.find((candidate) => candidate.username === username);
  // compare digests so that neither the length nor the content of the password leaks through timing
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const matches = timingSafeEqual(digest(user?.password ?? ''), digest(password));
  return user && matches ? user : undefined;
}

/**
 * The OpenID claims of a user (OIDC Core §5.1 plus `roles`); oidc-provider keeps only those
 * the granted scopes allow (see `CLAIMS_BY_SCOPE`).
 */
export function userClaims(user: DevUser): Record<string, unknown> {
  return { sub: user.sub, name: user.name, email: user.email, email_verified: true, roles: [...user.roles] };
}
