import { randomBytes } from 'node:crypto';

// 1 M distinct tokens through each in-memory cache of the library, as it is built; run with
// --expose-gc. The caches are internal, so they are loaded from the build output by path.
const LIBRARY = new URL('../../libs/resource-server/dist/', import.meta.url);
const tokens = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

interface IntrospectionModules {
  CachingTokenIntrospector: new (
    inner: { introspect(token: string): Promise<Record<string, unknown>> },
    cache: unknown,
    policy: { cacheTtlSeconds: number; inactiveCacheTtlSeconds: number; clock: () => number },
  ) => { introspect(token: string): Promise<unknown> };
  MemoryIntrospectionCache: new (maxEntries: number, clock: () => number) => { readonly size: number };
}

const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** A distinct token of realistic length per index: opaque ones are ~43 characters, JWTs ~800. */
function tokenOf(prefix: string, index: number): string {
  return `${prefix}${index.toString(36).padStart(8, '0')}`;
}

async function introspectionCache(): Promise<string> {
  const { CachingTokenIntrospector } = (await import(
    new URL('introspection/caching-token-introspector.js', LIBRARY).href
  )) as IntrospectionModules;
  const { MemoryIntrospectionCache } = (await import(
    new URL('introspection/memory-introspection-cache.js', LIBRARY).href
  )) as IntrospectionModules;
  const maxEntries = 10_000;
  const now = Math.floor(Date.now() / 1000);
  const cache = new MemoryIntrospectionCache(maxEntries, Date.now);
  const introspector = new CachingTokenIntrospector(
    {
      introspect: async (token) => ({
        active: true,
        iss: 'https://issuer.example',
        sub: token.slice(-8),
        aud: 'api',
        exp: now + 3600,
        iat: now,
        scope: 'openid profile',
        client_id: 'web',
        token_type: 'Bearer',
      }),
    },
    cache,
    { cacheTtlSeconds: 300, inactiveCacheTtlSeconds: 5, clock: Date.now },
  );
  const prefix = randomBytes(26).toString('base64url');
  const before = heapMiB();
  const started = process.hrtime.bigint();
  for (let i = 0; i < tokens; i++) await introspector.introspect(tokenOf(prefix, i));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = heapMiB();
  return line('introspection cache (cacheMaxEntries 10 000)', cache.size, before, after, seconds);
}

interface VerifierModule {
  CachingTokenVerifier: new (
    inner: { verify(token: string): Promise<{ token: string; claims: Record<string, unknown>; strategy: 'jwt' }> },
    keys: { keySetVersion(): number },
    policy: { ttlSeconds: number; maxEntries: number; clockToleranceSeconds: number; clock: () => number },
  ) => { verify(token: string, request: unknown, response: unknown): Promise<unknown>; readonly size: number };
}

async function verifiedTokenCache(): Promise<string> {
  const { CachingTokenVerifier } = (await import(
    new URL('verification/caching-token-verifier.js', LIBRARY).href
  )) as VerifierModule;
  const now = Math.floor(Date.now() / 1000);
  const verifier = new CachingTokenVerifier(
    {
      verify: async (token) => ({
        token,
        claims: {
          iss: 'https://issuer.example',
          sub: token.slice(-8),
          aud: 'api',
          exp: now + 3600,
          iat: now,
          jti: token.slice(-12),
          scope: 'openid profile',
        },
        strategy: 'jwt',
      }),
    },
    { keySetVersion: () => 0 },
    { ttlSeconds: 300, maxEntries: 10_000, clockToleranceSeconds: 30, clock: Date.now },
  );
  // a JWT's length: ~800 characters
  const prefix = randomBytes(590).toString('base64url');
  const before = heapMiB();
  const started = process.hrtime.bigint();
  for (let i = 0; i < tokens; i++) await verifier.verify(tokenOf(prefix, i), undefined, undefined);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = heapMiB();
  return line('verified-token cache (maxEntries 10 000)', verifier.size, before, after, seconds);
}

// bounded: at most maxEntries held, and the heap grows by what those entries need, not with the tokens seen
function line(name: string, entries: number, before: number, after: number, seconds: number): string {
  const bounded = entries <= 10_000 && after - before < 32;
  return (
    `Memory after ${tokens.toLocaleString('en-US')} distinct tokens through the ${name}: ` +
    `${entries.toLocaleString('en-US')} entries held, heap ${before.toFixed(1)} → ${after.toFixed(1)} MiB ` +
    `(+${(after - before).toFixed(1)} MiB; ${((seconds * 1e6) / tokens).toFixed(2)} µs per token incl. the stub behind it): ` +
    (bounded ? 'bound held' : 'BOUND BROKEN')
  );
}

console.log(await introspectionCache());
console.log(await verifiedTokenCache());
