import type { IntrospectionResponse } from './token-introspector.js';

/**
 * Where introspection results are kept between requests, keyed by a SHA-256 of the token
 * (never the token). In memory by default (answers at once); Redis when replicas must share
 * it (answers with a promise).
 */
export interface IntrospectionCache {
  get(key: string): IntrospectionResponse | undefined | Promise<IntrospectionResponse | undefined>;
  /** Keeps `value` for `ttlSeconds` (> 0). */
  set(key: string, value: IntrospectionResponse, ttlSeconds: number): void | Promise<void>;
  close?(): Promise<void>;
}

/** Injection token of the {@link IntrospectionCache} in use. */
export const IntrospectionCache = Symbol.for('nest-resource-server.IntrospectionCache');
