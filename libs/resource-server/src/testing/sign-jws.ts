import { constants, createHmac, sign, type KeyObject } from 'node:crypto';

/**
 * Signs any header and payload as a JWS in compact form, including what a conforming
 * library refuses to produce (`alg: none`, unknown `crit`, a non-JSON payload): the
 * attack corpus needs such tokens. For tests only.
 */
export function signJws(header: Record<string, unknown>, payload: unknown, key?: KeyObject): string {
  const encode = (value: unknown) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const alg = String(header.alg);
  return `${input}.${alg.toLowerCase() === 'none' || !key ? '' : signature(alg, input, key).toString('base64url')}`;
}

function signature(alg: string, input: string, key: KeyObject): Buffer {
  const hash = `sha${alg.slice(2)}`;
  const data = Buffer.from(input);
  switch (alg.slice(0, 2)) {
    case 'HS':
      return createHmac(hash, key).update(data).digest();
    case 'RS':
      return sign(hash, data, key);
    case 'PS':
      return sign(hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    case 'ES':
      return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
    default:
      throw new Error(`signJws: unsupported alg ${alg}`);
  }
}
