import type { BenchApp, BenchPlatform } from './apps/bench-app-config.js';

/** Every scenario, in the order they run and are reported: the Express group, then the Fastify one. */
export const SCENARIO_IDS = [
  'bare',
  'public',
  'jwt-rs256',
  'jwt-es256',
  'jwt-three-issuers',
  'introspection',
  'introspection-one-token',
  'introspection-cached',
  'verified-cache',
  'docs-recipe',
  'auth0',
  'floor-rs256',
  'floor-es256',
  'dpop-memory',
  'dpop-redis',
  'floor-dpop',
  'fastify-bare',
  'fastify-public',
  'fastify-jwt-rs256',
  'fastify-floor-rs256',
  'fastify-jwt-plugin',
] as const;

export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** The platforms in the order their groups are reported, each with its bare route: the denominator of its ratios. */
export const PLATFORMS: Readonly<Record<BenchPlatform, { readonly name: string; readonly reference: ScenarioId }>> = {
  express: { name: 'Express', reference: 'bare' },
  fastify: { name: 'Fastify', reference: 'fastify-bare' },
};

/** Where the servers find the issuers, and who they are at the introspection endpoint. */
export interface BenchIssuers {
  readonly audience: string;
  readonly rs256: { readonly url: string; readonly jwksUri: string };
  readonly es256: { readonly url: string; readonly jwksUri: string };
  readonly introspection: { readonly endpoint: string; readonly clientId: string; readonly clientSecret: string };
  /** Two more RS256 issuers, for the scenario with three. */
  readonly more: readonly { readonly url: string; readonly jwksUri: string }[];
  /** Where the DPoP scenario with Redis keeps the seen proofs: a prefix of this run's own. */
  readonly dpopRedis: { readonly url: string; readonly keyPrefix: string };
}

/** One line of the results table. */
export interface Scenario {
  readonly id: ScenarioId;
  /** The letter. */
  readonly letter: string;
  readonly label: string;
  /** Ratios are to the bare route of the same platform. */
  readonly platform: BenchPlatform;
  /** `reference`: the platform's bare route, the denominator of its ratios. */
  readonly group: 'reference' | 'ours' | 'peer' | 'floor';
  /**
   * Which token the requests carry: one JWT on every connection, an opaque token per
   * connection (`opaque`), or one opaque token on every connection (`opaque-shared`); `dpop`:
   * an RS256 token bound to an ES256 key (`cnf.jkt`) as `Authorization: DPoP`, with a `DPoP`
   * proof of its own on every request.
   */
  readonly token: 'rs256' | 'es256' | 'opaque' | 'opaque-shared' | 'rs256-three-issuers' | 'dpop';
  /** Without a token the route answers 401 (checked before measuring). */
  readonly protected: boolean;
  app(issuers: BenchIssuers): BenchApp;
}

const ours = (options: Record<string, unknown>, isPublic = false): BenchApp => ({
  kind: 'resource-server',
  public: isPublic,
  options,
});

const jwtOptions = (issuers: BenchIssuers, issuer: BenchIssuers['rs256']) => ({
  issuer: issuer.url,
  jwksUri: issuer.jwksUri,
  audience: issuers.audience,
});

const introspectionOptions = (issuers: BenchIssuers, cacheTtlSeconds: number) => ({
  issuer: issuers.rs256.url,
  audience: issuers.audience,
  strategy: 'introspection',
  introspection: { ...issuers.introspection, cacheTtlSeconds },
});

const peer = (
  kind: 'docs-recipe' | 'auth0' | 'minimal-guard' | 'minimal-dpop-guard' | 'fastify-jwt',
  issuers: BenchIssuers,
  alg: 'rs256' | 'es256',
) => ({
  kind,
  issuer: issuers[alg].url,
  jwksUri: issuers[alg].jwksUri,
  audience: issuers.audience,
});

export const SCENARIOS: Readonly<Record<ScenarioId, Scenario>> = {
  bare: {
    id: 'bare',
    letter: 'a',
    label: 'bare route, no guard',
    platform: 'express',
    group: 'reference',
    token: 'rs256',
    protected: false,
    app: () => ({ kind: 'bare' }),
  },
  public: {
    id: 'public',
    letter: 'b',
    label: '@Public() behind our global guard',
    platform: 'express',
    group: 'ours',
    token: 'rs256',
    protected: false,
    app: (issuers) => ours(jwtOptions(issuers, issuers.rs256), true),
  },
  'jwt-rs256': {
    id: 'jwt-rs256',
    letter: 'c',
    label: 'our JWT strategy, RS256',
    platform: 'express',
    group: 'ours',
    token: 'rs256',
    protected: true,
    app: (issuers) => ours(jwtOptions(issuers, issuers.rs256)),
  },
  'jwt-es256': {
    id: 'jwt-es256',
    letter: 'd',
    label: 'our JWT strategy, ES256',
    platform: 'express',
    group: 'ours',
    token: 'es256',
    protected: true,
    app: (issuers) => ours(jwtOptions(issuers, issuers.es256)),
  },
  introspection: {
    id: 'introspection',
    letter: 'e',
    label: 'our introspection, remote (keep-alive)',
    platform: 'express',
    group: 'ours',
    token: 'opaque',
    protected: true,
    app: (issuers) => ours(introspectionOptions(issuers, 0)),
  },
  'introspection-one-token': {
    id: 'introspection-one-token',
    letter: 'e′',
    label: 'our introspection, remote, one token on all connections',
    platform: 'express',
    group: 'ours',
    token: 'opaque-shared',
    protected: true,
    app: (issuers) => ours(introspectionOptions(issuers, 0)),
  },
  'introspection-cached': {
    id: 'introspection-cached',
    letter: 'f',
    label: 'our introspection, cache hit',
    platform: 'express',
    group: 'ours',
    token: 'opaque',
    protected: true,
    app: (issuers) => ours(introspectionOptions(issuers, 300)),
  },
  'verified-cache': {
    id: 'verified-cache',
    letter: 'g',
    label: 'our JWT RS256, verified-token cache hit',
    platform: 'express',
    group: 'ours',
    token: 'rs256',
    protected: true,
    app: (issuers) => ours({ ...jwtOptions(issuers, issuers.rs256), verifiedTokenCache: { ttlSeconds: 60 } }),
  },
  'docs-recipe': {
    id: 'docs-recipe',
    letter: 'h',
    label: 'Nest docs recipe (passport-jwt + jwks-rsa), RS256',
    platform: 'express',
    group: 'peer',
    token: 'rs256',
    protected: true,
    app: (issuers) => peer('docs-recipe', issuers, 'rs256'),
  },
  auth0: {
    id: 'auth0',
    letter: 'i',
    label: 'auth0 express-oauth2-jwt-bearer, RS256',
    platform: 'express',
    group: 'peer',
    token: 'rs256',
    protected: true,
    app: (issuers) => peer('auth0', issuers, 'rs256'),
  },
  'floor-rs256': {
    id: 'floor-rs256',
    letter: 'j',
    label: 'minimal node:crypto guard (floor), RS256',
    platform: 'express',
    group: 'floor',
    token: 'rs256',
    protected: true,
    app: (issuers) => peer('minimal-guard', issuers, 'rs256'),
  },
  'floor-es256': {
    id: 'floor-es256',
    letter: 'j′',
    label: 'minimal node:crypto guard (floor), ES256',
    platform: 'express',
    group: 'floor',
    token: 'es256',
    protected: true,
    app: (issuers) => peer('minimal-guard', issuers, 'es256'),
  },
  'dpop-memory': {
    id: 'dpop-memory',
    letter: 'l',
    label: 'our JWT RS256 + DPoP proof (ES256), replay store in memory',
    platform: 'express',
    group: 'ours',
    token: 'dpop',
    protected: true,
    app: (issuers) => ours({ ...jwtOptions(issuers, issuers.rs256), dpop: 'allowed' }),
  },
  'dpop-redis': {
    id: 'dpop-redis',
    letter: 'l′',
    label: 'our JWT RS256 + DPoP proof (ES256), replay store in Redis',
    platform: 'express',
    group: 'ours',
    token: 'dpop',
    protected: true,
    app: (issuers) =>
      ours({
        ...jwtOptions(issuers, issuers.rs256),
        dpop: 'allowed',
        dpopRedisUrl: issuers.dpopRedis.url,
        dpopRedisKeyPrefix: issuers.dpopRedis.keyPrefix,
      }),
  },
  'floor-dpop': {
    id: 'floor-dpop',
    letter: 'j²',
    label: 'minimal node:crypto guard (floor), RS256 + DPoP proof (ES256)',
    platform: 'express',
    group: 'floor',
    token: 'dpop',
    protected: true,
    app: (issuers) => peer('minimal-dpop-guard', issuers, 'rs256'),
  },
  'fastify-bare': {
    id: 'fastify-bare',
    letter: 'Fa',
    label: 'bare route, no guard',
    platform: 'fastify',
    group: 'reference',
    token: 'rs256',
    protected: false,
    app: () => ({ kind: 'bare' }),
  },
  'fastify-public': {
    id: 'fastify-public',
    letter: 'Fb',
    label: '@Public() behind our global guard',
    platform: 'fastify',
    group: 'ours',
    token: 'rs256',
    protected: false,
    app: (issuers) => ours(jwtOptions(issuers, issuers.rs256), true),
  },
  'fastify-jwt-rs256': {
    id: 'fastify-jwt-rs256',
    letter: 'Fc',
    label: 'our JWT strategy, RS256',
    platform: 'fastify',
    group: 'ours',
    token: 'rs256',
    protected: true,
    app: (issuers) => ours(jwtOptions(issuers, issuers.rs256)),
  },
  'fastify-floor-rs256': {
    id: 'fastify-floor-rs256',
    letter: 'Fj',
    label: 'minimal node:crypto guard (floor), RS256',
    platform: 'fastify',
    group: 'floor',
    token: 'rs256',
    protected: true,
    app: (issuers) => peer('minimal-guard', issuers, 'rs256'),
  },
  'fastify-jwt-plugin': {
    id: 'fastify-jwt-plugin',
    letter: 'Fk',
    label: '@fastify/jwt + get-jwks (onRequest hook), RS256',
    platform: 'fastify',
    group: 'peer',
    token: 'rs256',
    protected: true,
    app: (issuers) => peer('fastify-jwt', issuers, 'rs256'),
  },
  'jwt-three-issuers': {
    id: 'jwt-three-issuers',
    letter: 'c³',
    label: 'our JWT strategy, RS256, three issuers (tokens from each)',
    platform: 'express',
    group: 'ours',
    token: 'rs256-three-issuers',
    protected: true,
    app: (issuers) =>
      ours({
        issuer: [issuers.rs256, ...issuers.more].map(({ url, jwksUri }) => ({ issuer: url, jwksUri })),
        audience: issuers.audience,
      }),
  },
};
