import { constants, createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DpopProofError } from '../errors/dpop.errors.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** What a proof is checked against, besides the request. */
export interface DpopProofPolicy {
  /** Accepted `alg` values: asymmetric JWS algorithms only. */
  readonly algorithms: readonly string[];
  /** Seconds `iat` may lie in the past. */
  readonly maxAgeSeconds: number;
  /** Skew allowed on `iat`, both ways, in seconds. */
  readonly clockToleranceSeconds: number;
  /** Origin used to rebuild `htu`; undefined: `http://` and the `Host` header. */
  readonly publicUrl?: string;
  readonly clock: () => number;
}

/** The request a proof must be made for. */
export interface DpopRequest {
  readonly method: string;
  /** The request target as received (path and query). */
  readonly url: string;
  readonly host?: string;
  /** The access token sent with the proof, for `ath`. */
  readonly accessToken: string;
}

/** A proof that passed every check of RFC 9449 §4.3 but the nonce and the replay check. */
export interface ValidatedDpopProof {
  /** RFC 7638 thumbprint of the proof's key: the token's `cnf.jkt` must equal it. */
  readonly jkt: string;
  readonly jti: string;
  readonly iat: number;
  readonly nonce?: string;
}

interface CheckedHeader {
  readonly alg: string;
  readonly key: KeyObject;
  readonly jkt: string;
}

/** Longer proofs are refused unparsed: a 4096-bit RSA `jwk` and its signature fit well within. */
export const MAX_PROOF_LENGTH = 8192;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'];
const CURVES: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const MIN_RSA_BITS = 2048;

/**
 * Checks a DPoP proof JWT against the request it came with (RFC 9449 §4.3): compact JWS,
 * `typ` `dpop+jwt`, an allowed asymmetric `alg`, a public `jwk` header that verifies the
 * signature, `htm`, `htu` (without query and fragment), `iat` within the window, `jti`, and
 * `ath`. Signatures are checked with `node:crypto`; keys built from `jwk` headers are kept in a
 * small LRU by thumbprint, and checked header segments by their text (a client repeats its
 * header), so a client's next proofs cost one verify and the claim checks. Synchronous.
 * @throws DpopProofError
 */
export class DpopProofValidator {
  private readonly keys = new LRUCache<string, KeyObject>({ max: 1000 });
  /** Header segments already checked: a client sends the same one (typ, alg, jwk) with every proof. */
  private readonly headers = new LRUCache<string, CheckedHeader>({ max: 1000 });

  constructor(private readonly policy: DpopProofPolicy) {}

  validate(proof: string | undefined, request: DpopRequest): ValidatedDpopProof {
    if (proof === undefined || proof === '') throw new DpopProofError('DPoP proof missing');
    if (proof.length > MAX_PROOF_LENGTH) throw new DpopProofError('DPoP proof too large');
    const parts = proof.split('.');
    if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) {
      throw new DpopProofError('DPoP proof is not a compact JWS');
    }
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const { alg, key, jkt } = this.headers.get(headerPart) ?? this.checkHeader(headerPart);
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    if (!verifies(alg, signed, key, Buffer.from(signaturePart, 'base64url'))) {
      throw new DpopProofError('DPoP proof signature invalid');
    }
    const claims = decode(payloadPart);
    if (claims.htm !== request.method) throw new DpopProofError('DPoP proof htm does not match the method');
    const htu = this.expectedHtu(request);
    // the usual proof names the URL exactly as rebuilt; any other spelling is normalized first
    const htuMatches = claims.htu === htu || (typeof claims.htu === 'string' && withoutQuery(claims.htu) === htu);
    if (htu === undefined || !htuMatches) {
      throw new DpopProofError('DPoP proof htu does not match the request URL');
    }
    const iat = claims.iat;
    const now = this.policy.clock() / 1000;
    const tolerance = this.policy.clockToleranceSeconds;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofError('DPoP proof iat missing');
    if (iat > now + tolerance) throw new DpopProofError('DPoP proof iat in the future');
    if (iat < now - this.policy.maxAgeSeconds - tolerance) throw new DpopProofError('DPoP proof too old');
    if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > 256) {
      throw new DpopProofError('DPoP proof jti missing');
    }
    if (claims.ath !== hash('sha256', request.accessToken, 'base64url')) {
      throw new DpopProofError('DPoP proof ath does not match the access token');
    }
    if (claims.nonce !== undefined && typeof claims.nonce !== 'string') {
      throw new DpopProofError('DPoP proof nonce is not a string');
    }
    return { jkt, jti: claims.jti, iat, nonce: claims.nonce };
  }

  /** `typ`, `alg` and the `jwk` of a header segment not seen before; remembered once they hold. */
  private checkHeader(headerPart: string): CheckedHeader {
    const header = decode(headerPart);
    const alg = header.alg;
    if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') {
      throw new DpopProofError('DPoP proof typ must be dpop+jwt');
    }
    if (typeof alg !== 'string' || !this.policy.algorithms.includes(alg)) {
      throw new DpopProofError('DPoP proof alg not allowed');
    }
    // RFC 7515 §4.1.11: no extension is understood here, so any crit is refused
    if (header.crit !== undefined) throw new DpopProofError('DPoP proof has critical header parameters');
    const checked = { alg, ...this.keyOf(header.jwk, alg) };
    this.headers.set(headerPart, checked);
    return checked;
  }

  /** The public key of the `jwk` header, checked for its type, curve, size and lack of private members. */
  private keyOf(jwk: unknown, alg: string): { key: KeyObject; jkt: string } {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
      throw new DpopProofError('DPoP proof jwk header missing');
    }
    const members = jwk as Record<string, unknown>;
    // a private key in a header is published to every hop: never accept one (RFC 9449 §4.3)
    if (PRIVATE_MEMBERS.some((member) => member in members)) {
      throw new DpopProofError('DPoP proof jwk holds private key members');
    }
    const wanted = alg.startsWith('ES') ? 'EC' : 'RSA';
    if (members.kty !== wanted || (wanted === 'EC' && members.crv !== CURVES[alg])) {
      throw new DpopProofError('DPoP proof jwk does not fit its alg');
    }
    const jkt = jwkThumbprint(members);
    if (jkt === undefined) throw new DpopProofError('DPoP proof jwk malformed');
    let key = this.keys.get(jkt);
    if (key === undefined) {
      try {
        // only the required members: the thumbprint vouches for exactly these
        const { kty, crv, x, y, n, e } = members as Record<string, string>;
        key = createPublicKey({ key: { kty, crv, x, y, n, e }, format: 'jwk' });
      } catch (error) {
        throw new DpopProofError('DPoP proof jwk malformed', { cause: error });
      }
      if (wanted === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw new DpopProofError('DPoP proof RSA key shorter than 2048 bits');
      }
      this.keys.set(jkt, key);
    }
    return { key, jkt };
  }

  private expectedHtu(request: DpopRequest): string | undefined {
    const base = this.policy.publicUrl ?? (request.host ? `http://${request.host}` : undefined);
    if (base === undefined) return undefined;
    const target = request.url.split('?')[0]!;
    // appended, never resolved: a target such as `//evil.example/me` must stay a path on this host
    const path = target.startsWith('/') ? target : withoutQuery(target)?.replace(/^[a-z]+:\/\/[^/]*/i, '');
    return path === undefined ? undefined : withoutQuery(base + path);
  }
}

/** The URL normalized (RFC 3986 §6.2.2–6.2.3 as WHATWG URL does it), without query and fragment. */
function withoutQuery(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.origin + url.pathname;
  } catch {
    return undefined;
  }
}

function decode(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (error) {
    throw new DpopProofError('DPoP proof is not JSON', { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DpopProofError('DPoP proof is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function verifies(alg: string, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const digest = `sha${alg.slice(2)}`;
  try {
    switch (alg.slice(0, 2)) {
      case 'ES':
        return verify(digest, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'PS':
        return verify(
          digest,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
          signature,
        );
      default:
        return verify(digest, data, key, signature);
    }
  } catch {
    return false;
  }
}
