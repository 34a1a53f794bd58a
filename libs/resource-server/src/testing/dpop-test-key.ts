import { generateKeyPairSync, hash, randomUUID, type KeyObject } from 'node:crypto';
import { signJws } from './sign-jws.js';

/** Algorithms a {@link DpopTestKey} can sign proofs with. */
export type DpopTestAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'PS256';

/** What a DPoP proof is made for, and anything to break in it. */
export interface DpopProofOptions {
  /** `htm`. Default: `GET`. */
  readonly method?: string;
  /** The request URL; `htu` is it without query and fragment (RFC 9449 §4.2). */
  readonly url: string;
  /** The access token the proof goes with: its SHA-256 becomes `ath`. Default: no `ath`. */
  readonly accessToken?: string;
  /** The server's nonce (RFC 9449 §8). Default: none. */
  readonly nonce?: string;
  /** `iat` in seconds. Default: now. */
  readonly iat?: number;
  /** `jti`. Default: a fresh UUID. */
  readonly jti?: string;
  /** Header parameters to add or override; `undefined` removes one (`typ`, `jwk`). */
  readonly header?: Record<string, unknown>;
  /** Claims to add or override; `undefined` removes one. */
  readonly claims?: Record<string, unknown>;
  /** Sign with this private key instead (the `jwk` header still names this key). */
  readonly signWith?: KeyObject;
}

/**
 * A client's DPoP key pair for tests (RFC 9449): its public `jwk`, its RFC 7638 thumbprint
 * `jkt` (what `TestIssuer.token({ dpop: key })` binds a token to as `cnf.jkt`), and proofs
 * for any request, well-formed or broken on purpose.
 * @example
 * const key = DpopTestKey.generate();
 * const token = issuer.token({ dpop: key });
 * await request(server).get('/me')
 *   .set('Authorization', `DPoP ${token}`)
 *   .set('DPoP', key.proof({ url: 'http://127.0.0.1/me', accessToken: token }));
 */
export class DpopTestKey {
  /** The public key as a JWK (no private members). */
  readonly jwk: Readonly<Record<string, string>>;
  /** RFC 7638 SHA-256 thumbprint of {@link jwk}, base64url. */
  readonly jkt: string;

  private constructor(
    readonly alg: DpopTestAlgorithm,
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
  ) {
    this.jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    this.jkt = thumbprint(this.jwk);
  }

  /** A new key pair. Default: ES256. */
  static generate(alg: DpopTestAlgorithm = 'ES256'): DpopTestKey {
    const pair = alg.startsWith('ES')
      ? generateKeyPairSync('ec', { namedCurve: { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'] })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new DpopTestKey(alg, pair.privateKey, pair.publicKey);
  }

  /** The `cnf` claim of a token bound to this key. */
  get cnf(): { jkt: string } {
    return { jkt: this.jkt };
  }

  /** A DPoP proof JWT for one request, signed with this key unless `signWith` says otherwise. */
  proof(options: DpopProofOptions): string {
    const url = new URL(options.url);
    const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: this.alg, jwk: this.jwk, ...options.header };
    const claims: Record<string, unknown> = {
      jti: options.jti ?? randomUUID(),
      htm: options.method ?? 'GET',
      htu: url.origin + url.pathname,
      iat: options.iat ?? Math.floor(Date.now() / 1000),
      ...(options.accessToken === undefined ? {} : { ath: hash('sha256', options.accessToken, 'base64url') }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      ...options.claims,
    };
    return signJws(defined(header), defined(claims), options.signWith ?? this.privateKey);
  }
}

function thumbprint(jwk: Readonly<Record<string, string>>): string {
  const members = jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['e', 'kty', 'n'];
  return hash('sha256', JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]]))), 'base64url');
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
