/** Injection tokens of the BFF. */
export const BFF_CONFIG = Symbol('BffConfig');
export const OIDC_CLIENT = Symbol('OidcClient');
export const API_CLIENT = Symbol('ApiClient');
/** Milliseconds since the epoch (tests set time instead of waiting). */
export const CLOCK = Symbol('Clock');
/** The session store's `SessionStoreHealth` (Redis or memory). */
export const SESSION_STORE = Symbol('SessionStore');
/** The `SessionTokens` every call to an API takes its tokens from. */
export const SESSION_TOKENS = Symbol('SessionTokens');
/** The `LiveRelay` of `/live`. */
export const LIVE_RELAY = Symbol('LiveRelay');
