/** Injection tokens of the BFF. */
export const BFF_CONFIG = Symbol('BffConfig');
export const OIDC_CLIENT = Symbol('OidcClient');
export const API_CLIENT = Symbol('ApiClient');
