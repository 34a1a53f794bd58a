import { createHash, generateKeyPairSync } from 'node:crypto';

/** A BFF DPoP key made by a spec: the `BFF_DPOP_KEY` value and the `cnf.jkt` its tokens must carry. */
export interface TestDpopKey {
  /** The private JWK as JSON, as an operator sets `BFF_DPOP_KEY`. */
  readonly env: string;
  /** RFC 7638 SHA-256 thumbprint of the public key, computed here, independently of the BFF. */
  readonly jkt: string;
}

/** A fresh EC P-256 key for `BFF_DPOP_KEY` (keys are made per suite; none is checked in). */
export function testDpopKey(): TestDpopKey {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return { env: JSON.stringify(jwk), jkt: createHash('sha256').update(canonical).digest('base64url') };
}
