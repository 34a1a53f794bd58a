/** Injection token of the {@link ResolvedOptions} (checked and normalized at start-up). */
export const RESOLVED_OPTIONS = Symbol.for('nest-resource-server.resolvedOptions');

/**
 * Where the guard leaves the token for the Passport strategies (which read requests,
 * not arguments), and the verified token for the param decorators.
 * @internal
 */
export const PENDING_TOKEN = Symbol.for('nest-resource-server.pendingToken');
/** @internal */
export const VERIFIED_TOKEN = Symbol.for('nest-resource-server.verifiedToken');
