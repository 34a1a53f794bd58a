import type { DpopTestKey } from 'nest-resource-server/testing';

/** What a window's proofs cost the load core. */
export interface DpopProofCounts {
  /** Signed before the load started. */
  readonly presigned: number;
  /** Signed while the load ran, because the pre-signed ones ran out. */
  readonly signedDuringLoad: number;
  /** CPU of the load core per proof signed ahead, in µs. */
  readonly microsPerProof: number;
}

/**
 * DPoP proofs (RFC 9449 §4) for one server: the replay store refuses a `jti` twice, so every
 * request needs a proof of its own, made for the URL the server sees (`htu`) and the one access
 * token (`ath`). Signing one with ES256 costs the load core some 30 µs, as much as autocannon
 * spends on a request, so each phase's proofs are signed before it starts (fresh `iat`, a new
 * `jti` each, by `DpopTestKey.proof()`, as a client makes them); should they run out, the rest
 * are signed on the fly, and counted so that the run can say so.
 */
export class DpopProofPool {
  private proofs: string[] = [];
  private used = 0;
  private presigned = 0;
  private signedDuringLoad = 0;
  private cpuMicros = 0;

  constructor(
    private readonly key: DpopTestKey,
    /** The DPoP-bound access token the proofs go with (`ath`). */
    readonly accessToken: string,
    /** The URL requested, its origin as the server sees it in `Host` (`htu`). */
    readonly url: string,
  ) {}

  /** Signs `count` fresh proofs, dropping those left unused (their `iat` is older). */
  fill(count: number): void {
    const started = process.cpuUsage();
    this.proofs = Array.from({ length: count }, () => this.sign());
    const spent = process.cpuUsage(started);
    this.cpuMicros += spent.user + spent.system;
    this.presigned += count;
    this.used = 0;
  }

  /** The next unused proof; signed now when none is left. */
  take(): string {
    if (this.used < this.proofs.length) return this.proofs[this.used++]!;
    this.signedDuringLoad++;
    return this.sign();
  }

  /** A proof outside the pool, for the pre-flight checks. */
  sign(url = this.url, accessToken = this.accessToken): string {
    return this.key.proof({ method: 'GET', url, accessToken });
  }

  /** Counts since the pool was made. */
  counts(): DpopProofCounts {
    return {
      presigned: this.presigned,
      signedDuringLoad: this.signedDuringLoad,
      microsPerProof: this.presigned > 0 ? this.cpuMicros / this.presigned : NaN,
    };
  }
}
