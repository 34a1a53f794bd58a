import { createPublicKey, hash, verify, type VerifyKeyObjectInput } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HelloController } from './hello.controller.js';
import { checkJwt, importKeys, SIGNING_KEYS, type SigningKey } from './minimal-guard.module.js';
import { PEER_CONFIG, type PeerConfig } from './peer-config.js';

/** Seconds a proof's `iat` may lie in the past, and the skew allowed: the library's defaults (300, 30). */
const MAX_AGE_SECONDS = 300;
const TOLERANCE_SECONDS = 30;

/** A proof key, imported once per header segment (a client sends the same header every time). */
interface ProofKey {
  readonly key: VerifyKeyObjectInput;
  /** RFC 7638 thumbprint: the token's `cnf.jkt`. */
  readonly jkt: string;
}

/**
 * The DPoP floor (j²): what any check of a DPoP-bound JWT must do (RFC 9449 §4.3, §7.1),
 * hand-written on `node:crypto.verify`: the ES256 proof (`typ`, `alg`, its `jwk` imported once
 * per header segment; signature; `htm`, `htu`, `iat`, `jti`, `ath`), then the RS256 token as
 * the floor (j) checks it, then `cnf.jkt` against the proof's key, then `jti` against the ones
 * seen. Two verifies per request. The seen `jti`s and the keys are plain unbounded
 * collections, with no expiry: a lower bound for one run, not a product.
 */
@Injectable()
export class MinimalDpopGuard implements CanActivate {
  private readonly proofKeys = new Map<string, ProofKey>();
  private readonly seen = new Set<string>();

  constructor(
    @Inject(PEER_CONFIG) private readonly config: PeerConfig,
    @Inject(SIGNING_KEYS) private readonly keys: ReadonlyMap<string, SigningKey>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage & { user?: unknown }>();
    const authorization = request.headers.authorization;
    const proof = request.headers.dpop;
    if (!authorization?.startsWith('DPoP ') || typeof proof !== 'string') throw new UnauthorizedException();
    const token = authorization.slice(5);
    const { jkt, jti } = this.checkProof(proof, request, token);
    const claims = checkJwt(token, this.keys, this.config);
    if (claims.cnf?.jkt !== jkt || this.seen.has(jti)) throw new UnauthorizedException();
    this.seen.add(jti);
    request.user = claims;
    return true;
  }

  /** The proof's key thumbprint and `jti`, or 401. */
  private checkProof(proof: string, request: IncomingMessage, token: string): { jkt: string; jti: string } {
    const dot1 = proof.indexOf('.');
    const dot2 = proof.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0) throw new UnauthorizedException();
    const headerPart = proof.slice(0, dot1);
    const proofKey = this.proofKeys.get(headerPart) ?? this.importProofKey(headerPart);
    const signature = Buffer.from(proof.slice(dot2 + 1), 'base64url');
    if (!verify('sha256', Buffer.from(proof.slice(0, dot2)), proofKey.key, signature)) {
      throw new UnauthorizedException();
    }
    let claims: { htm?: unknown; htu?: unknown; iat?: unknown; jti?: unknown; ath?: unknown };
    try {
      claims = JSON.parse(Buffer.from(proof.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
    } catch {
      throw new UnauthorizedException();
    }
    const now = Date.now() / 1000;
    if (
      claims.htm !== request.method ||
      claims.htu !== `http://${request.headers.host}${request.url?.split('?')[0]}` ||
      typeof claims.iat !== 'number' ||
      claims.iat > now + TOLERANCE_SECONDS ||
      claims.iat < now - MAX_AGE_SECONDS - TOLERANCE_SECONDS ||
      typeof claims.jti !== 'string' ||
      claims.jti === '' ||
      claims.ath !== hash('sha256', token, 'base64url')
    ) {
      throw new UnauthorizedException();
    }
    return { jkt: proofKey.jkt, jti: claims.jti };
  }

  private importProofKey(headerPart: string): ProofKey {
    try {
      const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
      const { kty, crv, x, y } = header.jwk ?? {};
      if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || kty !== 'EC' || crv !== 'P-256') {
        throw new UnauthorizedException();
      }
      const proofKey: ProofKey = {
        key: { key: createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        // RFC 7638: the required members in lexicographic order, no whitespace
        jkt: hash('sha256', JSON.stringify({ crv, kty, x, y }), 'base64url'),
      };
      this.proofKeys.set(headerPart, proofKey);
      return proofKey;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

/** The DPoP floor (j²): a minimal global guard checking the proof and the token on `node:crypto.verify`. */
@Module({})
export class MinimalDpopGuardAppModule {
  static with(config: PeerConfig): DynamicModule {
    return {
      module: MinimalDpopGuardAppModule,
      controllers: [HelloController],
      providers: [
        { provide: PEER_CONFIG, useValue: config },
        { provide: SIGNING_KEYS, useFactory: () => importKeys(config.jwksUri) },
        MinimalDpopGuard,
        { provide: APP_GUARD, useExisting: MinimalDpopGuard },
      ],
    };
  }
}
