/**
 * Remembers the proofs already used (RFC 9449 §11.1), for as long as they could be accepted.
 * An implementation shared by replicas makes a replay fail on every one of them.
 */
export interface DpopReplayStore {
  /**
   * Records `id` for `ttlMs`; true when it was not recorded yet (the proof is fresh), false
   * when it was (a replay). Throws (or rejects with) `AuthorizationServerUnavailableError` when
   * the store cannot tell: the request then fails closed (503).
   */
  claim(id: string, ttlMs: number): boolean | Promise<boolean>;
  close?(): Promise<void>;
}

/** Injection token of the {@link DpopReplayStore} in use. */
export const DpopReplayStore = Symbol.for('nest-resource-server.DpopReplayStore');
