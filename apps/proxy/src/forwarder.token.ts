import type { createForwarder } from './forwarding-proxy.js';

/** Forwards a validated request upstream (see `createForwarder`). */
export type Forwarder = ReturnType<typeof createForwarder>;

/** Injection token of the {@link Forwarder}. */
export const FORWARDER = Symbol('Forwarder');
