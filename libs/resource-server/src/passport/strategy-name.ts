/**
 * The Passport name under which the module registers its whole pipeline (the token from the
 * header or cookie, then the configured verification), so that it can be chained with an
 * application's own strategies: `AuthGuard([RESOURCE_SERVER_STRATEGY, 'api-key'])`.
 * (A file of its own, so the public types never reach Passport's.)
 */
export const RESOURCE_SERVER_STRATEGY = 'nest-resource-server';
