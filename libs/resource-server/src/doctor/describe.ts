import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import type { JoseHeader } from '../jwt/jose-header.validator.js';
import type { DoctorRoute } from './token-doctor.js';

/** The configuration line: what the options resolved to (no secret is among these). @internal */
export function describeConfiguration(o: ResolvedOptions): string {
  const issuers = o.issuerResolver
    ? 'issuers from a resolver'
    : o.issuers.length > 1
      ? `issuers ${o.issuers.map((i) => i.issuer).join(',')}`
      : `issuer ${o.issuer}`;
  return [
    issuers,
    ...(o.provider === 'generic' ? [] : [`provider ${o.provider}`]),
    `audience ${[...o.audiences].join(',')}`,
    `strategy ${o.strategy}`,
    `algorithms ${o.algorithms.join(',')}`,
    `clock tolerance ${o.clockToleranceSeconds} s`,
  ].join(', ');
}

/** The header line of a header that passed. @internal */
export function describeHeader(header: JoseHeader): string {
  const typ = header.typ === undefined ? 'no typ' : `typ ${JSON.stringify(header.typ)}`;
  const kid = header.kid === undefined ? 'no kid' : `kid ${JSON.stringify(header.kid)}`;
  return `alg ${header.alg}, ${typ}, ${kid}, no crit`;
}

/** What the header says, when it decodes at all: for the failure line. @internal */
export function describeHeaderSafely(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (header === null || typeof header !== 'object') return undefined;
    const seen = ['alg', 'typ', 'kid', 'crit']
      .filter((name) => header[name] !== undefined)
      .map((name) => `${name} ${JSON.stringify(header[name]).slice(0, 80)}`);
    return seen.length > 0 ? seen.join(', ') : undefined;
  } catch {
    return undefined;
  }
}

/** The payload as JSON, unverified: only for lines about a token whose signature verified. @internal */
export function decodePayload(token: string): AccessTokenClaims | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as AccessTokenClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The route's rules as the line shows them. @internal */
export function describeRoute(route: DoctorRoute): string {
  return [
    route.scopes?.length ? `scope ${route.scopes.join(' ')}` : '',
    route.roles?.length ? `role ${route.roles.join(' or ')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
