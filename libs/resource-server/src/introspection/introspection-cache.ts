import type { IntrospectionResponse } from './token-introspector.js';

/**
 * Where introspection results are kept between requests, keyed by a SHA-256 of the token
 * (never the token). In memory by default; Redis when replicas must share it.
 */
export interface IntrospectionCache {
  get(key: string): Promise<IntrospectionResponse | undefined>;
  /** What `get` would answer, at once: only a cache in this process can (Redis cannot). */
  peek?(key: string): IntrospectionResponse | undefined;
  /** Keeps `value` for `ttlSeconds` (> 0). */
  set(key: string, value: IntrospectionResponse, ttlSeconds: number): Promise<void>;
  close?(): Promise<void>;
}

/** Injection token of the {@link IntrospectionCache} in use. */
export const IntrospectionCache = Symbol('IntrospectionCache');
