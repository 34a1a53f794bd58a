/** Injection tokens of the web app. */
export const WEB_CONFIG = Symbol('WebConfig');
export const OIDC_CLIENT = Symbol('OidcClient');
export const COOKIE_SEALER = Symbol('CookieSealer');
