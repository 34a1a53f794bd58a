/** Injection token of the `ResolvedOptions` (checked and normalized at start-up). */
export const RESOLVED_OPTIONS = Symbol.for('nest-resource-server.resolvedOptions');

/** Injection token: true when the module registered the guard for every route (`global`). @internal */
export const GUARD_IS_GLOBAL = Symbol.for('nest-resource-server.guardIsGlobal');
