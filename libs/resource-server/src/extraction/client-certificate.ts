import { hash, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Where the client certificate of a request may come from (RFC 8705). */
export interface ClientCertificatePolicy {
  /** Read the certificate of the TLS connection (the app asks for one). */
  readonly mtls: boolean;
  /**
   * Lower-case header in which a trusted TLS-terminating proxy forwards the certificate, read
   * only when the connection carries none. Undefined: never read.
   */
  readonly forwardedHeader?: string;
}

/** Injection token of the {@link ClientCertificatePolicy}. @internal */
export const ClientCertificatePolicy = Symbol.for('nest-resource-server.ClientCertificatePolicy');

const PEM_BODY = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The base64url SHA-256 of the DER of the request's client certificate, as `cnf.x5t#S256`
 * holds it (RFC 8705 §3.1): the TLS connection's own certificate first; without one, the
 * certificate a trusted proxy forwarded in `policy.forwardedHeader` (URL-encoded PEM, as
 * nginx's `$ssl_client_escaped_cert`, or URL-encoded base64 DER). Undefined when there is
 * none, when mTLS is off, or when the forwarded value is repeated or not one certificate:
 * a certificate-bound token is then refused, never accepted by a guess.
 */
export function clientCertificateThumbprint(
  request: IncomingMessage,
  policy: ClientCertificatePolicy,
): string | undefined {
  if (!policy.mtls) return undefined;
  const socket = request.socket as Partial<TLSSocket> | undefined;
  if (socket?.encrypted && typeof socket.getPeerCertificate === 'function') {
    const raw = socket.getPeerCertificate(false)?.raw;
    if (raw && raw.length > 0) return hash('sha256', raw, 'base64url');
  }
  if (policy.forwardedHeader === undefined) return undefined;
  const forwarded = request.headers[policy.forwardedHeader];
  if (typeof forwarded !== 'string' || forwarded === '') return undefined; // absent, or repeated (an array)
  const der = derOf(forwarded);
  return der && hash('sha256', der, 'base64url');
}

/** The DER of one forwarded certificate, checked to parse as X.509; undefined otherwise. */
function derOf(forwarded: string): Buffer | undefined {
  let text: string;
  try {
    text = decodeURIComponent(forwarded);
  } catch {
    return undefined;
  }
  const pem = PEM_BODY.exec(text);
  const base64 = (pem ? pem[1]! : text).replace(/\s+/g, '');
  if (!BASE64.test(base64)) return undefined;
  const der = Buffer.from(base64, 'base64');
  try {
    new X509Certificate(der);
  } catch {
    return undefined;
  }
  return der;
}
