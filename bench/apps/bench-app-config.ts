import type { PeerConfig } from './peer-config.js';

/** Which app a bench server process runs, and what it needs; passed as JSON in `BENCH_APP`. */
export type BenchAppConfig =
  | { readonly kind: 'bare' }
  | {
      readonly kind: 'resource-server';
      /** Serve the route with `@Public()`. */
      readonly public: boolean;
      /** `ResourceServerOptions`, JSON-safe (no clock). */
      readonly options: Record<string, unknown>;
    }
  | ({ readonly kind: 'docs-recipe' | 'auth0' | 'minimal-guard' } & PeerConfig);
