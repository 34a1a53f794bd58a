/** Injection token of the `ResolvedOptions` (checked and normalized at start-up). */
export const RESOLVED_OPTIONS = Symbol.for('nest-resource-server.resolvedOptions');
