import type { PeerConfig } from './peer-config.js';

/** The HTTP platform a bench server runs on. */
export type BenchPlatform = 'express' | 'fastify';

/** Which app a bench server runs, and what it needs. */
export type BenchApp =
  | { readonly kind: 'bare' }
  | {
      readonly kind: 'resource-server';
      /** Serve the route with `@Public()`. */
      readonly public: boolean;
      /** `ResourceServerOptions`, JSON-safe (no clock). */
      readonly options: Record<string, unknown>;
    }
  | ({ readonly kind: 'docs-recipe' | 'auth0' | 'minimal-guard' | 'minimal-dpop-guard' | 'fastify-jwt' } & PeerConfig);

/**
 * A bench server process's app and platform, passed as JSON in `BENCH_APP`; a build from
 * before Fastify (a `BENCH_BASELINE`) ignores `platform` and serves Express.
 */
export type BenchAppConfig = { readonly platform: BenchPlatform } & BenchApp;
