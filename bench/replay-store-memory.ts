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
let replays = 0; // a distinct proof taken for a replay: must never happen
let full = 0; // refused with a 503 (dpop_store_full): the store holds only proofs still in their window
for (let i = 0; i < proofs; i++) {
  try {
    if (!store.claim(idOf(i), REPLAY_WINDOW_MS)) replays++;
  } catch {
    full++;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const after = heapMiB();
// the store keeps its map private; its size is what is bounded
const held = (store as unknown as { seen: { size: number } }).seen.size;
const bounded = held <= MAX_ENTRIES && after - before < 64 && replays === 0;
console.log(
  `Memory after ${proofs.toLocaleString('en-US')} distinct DPoP proofs through the memory replay store ` +
    `(maxEntries ${MAX_ENTRIES.toLocaleString('en-US')}, as the module makes it; each kept ${REPLAY_WINDOW_MS / 1000} s): ` +
    `${held.toLocaleString('en-US')} entries held, heap ${before.toFixed(1)} → ${after.toFixed(1)} MiB ` +
    `(+${(after - before).toFixed(1)} MiB; ${((seconds * 1e6) / proofs).toFixed(2)} µs per proof incl. hashing its id; ` +
    `${full.toLocaleString('en-US')} refused with a 503 while full of live proofs): ` +
    (bounded ? 'bound held' : 'BOUND BROKEN'),
);

// a full store never forgets a live proof: the first and the last it took, replayed well within
// their 360 s, are refused
const newestRefused = !store.claim(idOf(Math.min(proofs, MAX_ENTRIES) - 1), REPLAY_WINDOW_MS);
const oldestRefused = !store.claim(idOf(0), REPLAY_WINDOW_MS);
const rate = MAX_ENTRIES / (REPLAY_WINDOW_MS / 1000);
console.log(
  `Replays after that flood, seconds later: the last proof it took ${newestRefused ? 'refused' : 'ACCEPTED'}, ` +
    `the first ${oldestRefused ? 'refused' : 'ACCEPTED'}. The memory store keeps every proof for its whole window ` +
    `and answers 503 when ${MAX_ENTRIES.toLocaleString('en-US')} are live: it serves up to ${Math.floor(rate)} ` +
    `proofs/s per process (${MAX_ENTRIES.toLocaleString('en-US')} ÷ ${REPLAY_WINDOW_MS / 1000} s) at a steady rate; ` +
    `more needs the Redis store: ` +
    (newestRefused && oldestRefused ? 'replay protection held' : 'REPLAY WINDOW NOT COVERED'),
);
