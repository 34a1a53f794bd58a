import type { RejectionReason } from '../errors/rejection-reason.js';

/**
 * One request's verification, as the guard saw it: what a listener, a log line or a metric
 * may know. Never the token, a claim value other than `iss`, or a secret.
 */
export interface VerificationEvent {
  /** `accepted`: the route may run; `rejected`: 400/401/403; `unavailable`: 503. */
  readonly outcome: 'accepted' | 'rejected' | 'unavailable';
  /** The status the client gets: 200 for accepted (the handler may still answer otherwise). */
  readonly status: 200 | 400 | 401 | 403 | 503;
  /** Why, for `rejected` (the contract's codes); the server's failure code for `unavailable`. */
  readonly reason?: RejectionReason | (string & {});
  /** The verifier that accepted the token (`jwt`, `introspection`, a custom name): when accepted, or refused by the route's rules. */
  readonly strategy?: string;
  /** The verified token's issuer: when accepted, or refused by the route's rules (never an unverified `iss`). */
  readonly issuer?: string;
  /** Upper-case method. */
  readonly method: string;
  /** The request path, without the query string. */
  readonly path: string;
  /** The Nest handler: `<Controller>.<method>`, a low-cardinality name for the route. */
  readonly handler: string;
  /** Time spent resolving and verifying the token and checking the route, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Told about every verification the guard makes (acceptances too). Called on the request
 * path: keep it quick and never throw (a throw is logged once and otherwise ignored).
 * @example
 * ResourceServerModule.forRoot({ ...options, verificationListener: { onVerification: (e) => audit.push(e) } })
 */
export interface VerificationListener {
  onVerification(event: VerificationEvent): void;
}

/** Injection token of the app's {@link VerificationListener} (null when none). */
export const VerificationListener = Symbol.for('nest-resource-server.VerificationListener');
