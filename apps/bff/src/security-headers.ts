import helmet from 'helmet';

/**
 * The headers on every BFF answer (helmet): a Content-Security-Policy that allows only the
 * BFF's own scripts, styles and requests (its `/live` WebSocket included; no `'unsafe-inline'`), forms posting to itself or to
 * the authorization server (logout is a form whose redirect ends there, and CSP checks the
 * redirect's target too), and `frame-ancestors 'none'`; `X-Frame-Options: DENY` for browsers
 * without CSP 2, `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (a URL of the
 * BFF, such as `/callback?code=…`, is never sent to another origin), and HSTS only when the BFF's own
 * origin is https.
 */
export function securityHeaders(options: { origin: string; issuer: string }) {
  const https = new URL(options.origin).protocol === 'https:';
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        // 'self' covers the page's own ws(s) in CSP3, but not in every browser: named as well
        connectSrc: ["'self'", new URL(options.origin).origin.replace(/^http/, 'ws')],
        formAction: ["'self'", new URL(options.issuer).origin],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    xFrameOptions: { action: 'deny' },
    xContentTypeOptions: true,
    // not no-referrer: under it Chromium sends `Origin: null` with the page's own form posts
    // (logout), which the Origin check must refuse; same-origin keeps URLs from other sites alike
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600 } : false,
  });
}
