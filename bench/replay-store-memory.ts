import { hash } from 'node:crypto';

// N distinct DPoP proofs through the memory replay store of the library, as it is built and
// as the module makes it; run with --expose-gc. The store is internal, so it is loaded from
// the build output by path.
const LIBRARY = new URL('../../libs/resource-server/dist/', import.meta.url);
const proofs = Number(process.argv[2] ?? 2_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** What `dpop.providers.ts` builds when no Redis is configured: `new MemoryDpopReplayStore(100_000, clock)`. */
const MAX_ENTRIES = 100_000;
/** The defaults: `dpopMaxAgeSeconds` 300 and `clockToleranceSeconds` 30, as the module computes the window. */
const MAX_AGE_SECONDS = 300;
const TOLERANCE_SECONDS = 30;
const REPLAY_WINDOW_MS = (MAX_AGE_SECONDS + 2 * TOLERANCE_SECONDS) * 1000;

interface ReplayStoreModule {
  MemoryDpopReplayStore: new (maxEntries: number, clock: () => number) => { claim(id: string, ttlMs: number): boolean };
}

const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

/** The id the binding rule records: SHA-256 of the proof key's thumbprint and the proof's `jti`. */
const idOf = (index: number) => hash('sha256', `bench-jkt.${index.toString(36)}-bench-jti`, 'base64url');

const { MemoryDpopReplayStore } = (await import(
  new URL('dpop/memory-dpop-replay-store.js', LIBRARY).href
)) as ReplayStoreModule;
const store = new MemoryDpopReplayStore(MAX_ENTRIES, Date.now);
const before = heapMiB();
const started = process.hrtime.bigint();
let refused = 0;
for (let i = 0; i < proofs; i++) if (!store.claim(idOf(i), REPLAY_WINDOW_MS)) refused++;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const after = heapMiB();
// the store keeps its LRU private; its size is what is bounded
const held = (store as unknown as { seen: { size: number } }).seen.size;
const bounded = held <= MAX_ENTRIES && after - before < 64 && refused === 0;
console.log(
  `Memory after ${proofs.toLocaleString('en-US')} distinct DPoP proofs through the memory replay store ` +
    `(maxEntries ${MAX_ENTRIES.toLocaleString('en-US')}, as the module makes it; each kept ${REPLAY_WINDOW_MS / 1000} s): ` +
    `${held.toLocaleString('en-US')} entries held, heap ${before.toFixed(1)} → ${after.toFixed(1)} MiB ` +
    `(+${(after - before).toFixed(1)} MiB; ${((seconds * 1e6) / proofs).toFixed(2)} µs per proof incl. hashing its id): ` +
    (bounded ? 'bound held' : 'BOUND BROKEN'),
);

// the bound is an LRU: past maxEntries proofs within one window, the oldest are forgotten while
// still acceptable. Replay the newest and the first, all well within their 360 s.
const newestRefused = !store.claim(idOf(proofs - 1), REPLAY_WINDOW_MS);
const oldestRefused = !store.claim(idOf(0), REPLAY_WINDOW_MS);
const rate = MAX_ENTRIES / (REPLAY_WINDOW_MS / 1000);
console.log(
  `Replays after that flood, seconds later: the newest proof ${newestRefused ? 'refused' : 'ACCEPTED'}, ` +
    `the first ${oldestRefused ? 'refused' : 'ACCEPTED'} though still within its window. The memory store remembers ` +
    `the last ${MAX_ENTRIES.toLocaleString('en-US')} proofs: above ${Math.floor(rate)} proofs/s per process ` +
    `(${MAX_ENTRIES.toLocaleString('en-US')} ÷ ${REPLAY_WINDOW_MS / 1000} s) it forgets proofs its validator would still accept: ` +
    (newestRefused && oldestRefused ? 'replay protection held' : 'REPLAY WINDOW NOT COVERED'),
);
