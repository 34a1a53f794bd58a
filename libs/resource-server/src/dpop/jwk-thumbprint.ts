import { hash } from 'node:crypto';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK, base64url: what a DPoP-bound token carries
 * as `cnf.jkt` (RFC 9449 §6.1). Undefined for a key type without required members, or a
 * required member that is not a string.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = REQUIRED_MEMBERS[jwk.kty as string];
  if (members === undefined) return undefined;
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string') return undefined;
    canonical[member] = value;
  }
  // JSON.stringify keeps insertion order and adds no whitespace: RFC 7638 §3.3 exactly
  return hash('sha256', JSON.stringify(canonical), 'base64url');
}
