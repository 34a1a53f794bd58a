/** Where a peer finds the issuer's keys, and what it expects in a token. */
export interface PeerConfig {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
}

/** Injection token of the {@link PeerConfig}. */
export const PEER_CONFIG = Symbol('PeerConfig');
