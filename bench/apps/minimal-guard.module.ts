import { createPublicKey, verify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
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
import { PEER_CONFIG, type PeerConfig } from './peer-config.js';

/** Injection token of the issuer's keys, imported once. */
export const SIGNING_KEYS = Symbol('SigningKeys');

/** A key of the issuer's JWKS, as {@link checkJwt} uses it. */
export interface SigningKey {
  readonly alg: string;
  /** Imported once; ES keys carry the JWS signature encoding (IEEE P1363). */
  readonly key: KeyObject | VerifyKeyObjectInput;
}

/** The claims the floors read; `cnf` for the DPoP floor (j²). */
export interface FloorClaims {
  readonly exp?: number;
  readonly iss?: string;
  readonly aud?: string | string[];
  readonly cnf?: { readonly jkt?: unknown };
}

/**
 * What any JWT check must do, hand-written on `node:crypto.verify` with the keys imported
 * once: header, signature, then `exp`, `iss` and `aud`. The claims, or 401.
 */
export function checkJwt(token: string, keys: ReadonlyMap<string, SigningKey>, config: PeerConfig): FloorClaims {
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0) throw new UnauthorizedException();
  let header: { alg?: string; kid?: string };
  let payload: FloorClaims;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedException();
  }
  const signingKey = keys.get(header.kid ?? '');
  if (!signingKey || signingKey.alg !== header.alg) throw new UnauthorizedException();
  const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
  if (!verify('sha256', Buffer.from(token.slice(0, dot2)), signingKey.key, signature)) {
    throw new UnauthorizedException();
  }
  try {
    payload = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
  } catch {
    throw new UnauthorizedException();
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (
    typeof payload.exp !== 'number' ||
    payload.exp <= Date.now() / 1000 ||
    payload.iss !== config.issuer ||
    !audiences.includes(config.audience)
  ) {
    throw new UnauthorizedException();
  }
  return payload;
}

/**
 * The floor (j): {@link checkJwt} on the `Bearer` token, nothing more. No JWKS refetch, no
 * `nbf`/`iat`/`typ`/`crit` checks, no RFC 6750 answers: a lower bound, not a product.
 */
@Injectable()
export class MinimalJwtGuard implements CanActivate {
  constructor(
    @Inject(PEER_CONFIG) private readonly config: PeerConfig,
    @Inject(SIGNING_KEYS) private readonly keys: ReadonlyMap<string, SigningKey>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage & { user?: unknown }>();
    const authorization = request.headers.authorization;
    if (!authorization?.startsWith('Bearer ')) throw new UnauthorizedException();
    request.user = checkJwt(authorization.slice(7), this.keys, this.config);
    return true;
  }
}

/** Fetches the JWKS once at start-up and imports each key once. */
export async function importKeys(jwksUri: string): Promise<ReadonlyMap<string, SigningKey>> {
  const response = await fetch(jwksUri);
  const { keys } = (await response.json()) as { keys: (Record<string, string> & { kid: string; alg: string })[] };
  return new Map(
    keys.map((jwk) => {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return [jwk.kid, { alg: jwk.alg, key: jwk.alg.startsWith('ES') ? { key, dsaEncoding: 'ieee-p1363' } : key }];
    }),
  );
}

/** Peer (j), the floor, on Express and on Fastify (Fj): a minimal global guard on `node:crypto.verify`. */
@Module({})
export class MinimalGuardAppModule {
  static with(config: PeerConfig): DynamicModule {
    return {
      module: MinimalGuardAppModule,
      controllers: [HelloController],
      providers: [
        { provide: PEER_CONFIG, useValue: config },
        { provide: SIGNING_KEYS, useFactory: () => importKeys(config.jwksUri) },
        MinimalJwtGuard,
        { provide: APP_GUARD, useExisting: MinimalJwtGuard },
      ],
    };
  }
}
