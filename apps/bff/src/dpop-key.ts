import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  webcrypto,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/** The JWK members of an EC P-256 key (RFC 7518 §6.2). */
interface EcJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly d?: string;
}

/**
 * Reads the BFF's DPoP private key (`BFF_DPOP_KEY`): an EC P-256 key (ES256, which every DPoP
 * implementation supports), as a private JWK (JSON) or a PKCS#8 / SEC1 PEM.
 * @throws Error when `text` is not such a key; its message never repeats the value.
 */
export function readDpopKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(trimmed);
  } catch {
    throw new Error('expected an EC P-256 private key, as a JWK or a PEM');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(`expected an EC P-256 private key, got a ${key.asymmetricKeyType ?? 'symmetric'} key`);
  return key;
}

/** A fresh EC P-256 private key: the default of a BFF that keeps its sessions in memory. */
export function generateDpopKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** RFC 7638 SHA-256 thumbprint (base64url) of the key's public half: the `cnf.jkt` of its tokens. */
export function dpopKeyThumbprint(key: KeyObject): string {
  const { crv, kty, x, y } = ecJwk(key);
  // the required members, in lexicographic order, no whitespace (RFC 7638 §3.2)
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

/**
 * The key as the WebCrypto pair openid-client signs proofs with: the private half not
 * extractable, the public half extractable (it goes into every proof's `jwk` header).
 */
export async function dpopKeyPair(key: KeyObject): Promise<webcrypto.CryptoKeyPair> {
  const { crv, kty, x, y, d } = ecJwk(key);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', { crv, kty, x, y, d }, algorithm, false, ['sign']),
    webcrypto.subtle.importKey('jwk', { crv, kty, x, y }, algorithm, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

function ecJwk(key: KeyObject): EcJwk {
  return key.export({ format: 'jwk' }) as EcJwk;
}
