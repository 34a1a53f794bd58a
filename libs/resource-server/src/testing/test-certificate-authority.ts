import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

/** A certificate and its private key, PEM-encoded, as `tls` and `https` take them. */
export interface TestCertificate {
  /** The certificate, PEM. */
  readonly cert: string;
  /** Its private key, PKCS #8 PEM. */
  readonly key: string;
  /** Base64url SHA-256 of the certificate's DER: what `cnf.x5t#S256` holds (RFC 8705 §3.1). */
  readonly thumbprint: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/**
 * A certificate authority for tests of certificate-bound tokens (RFC 8705): a CA made in
 * process (ECDSA P-256, with `@peculiar/x509`, an optional peer loaded only here) that issues
 * server certificates for loopback and client certificates, with the thumbprint a token's
 * `cnf.x5t#S256` must hold.
 * @example
 * const ca = await TestCertificateAuthority.create();
 * const server = await ca.server; // https.createServer({ ...server, ca: ca.cert, requestCert: true })
 * const client = await ca.issueClient('alice');
 * const token = issuer.token({ claims: certificateBoundClaims(client) });
 */
export class TestCertificateAuthority {
  private serial = 1;
  /** A server certificate for `localhost`, `127.0.0.1` and `::1`, issued by the CA. */
  readonly server: Promise<TestCertificate>;

  private constructor(
    private readonly x509: typeof X509,
    private readonly keys: webcrypto.CryptoKeyPair,
    private readonly certificate: X509.X509Certificate,
  ) {
    this.server = this.issue('localhost', SERVER_AUTH, [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'ip', value: '::1' },
    ]);
  }

  /** Makes a CA. Needs `@peculiar/x509` installed. */
  static async create(name = 'nest-resource-server test CA'): Promise<TestCertificateAuthority> {
    await import('reflect-metadata'); // @peculiar/x509's tsyringe needs it (a peer of this package anyway)
    const x509 = await import('@peculiar/x509');
    // Node's WebCrypto, typed apart from the DOM's Crypto the library's types name
    (x509.cryptoProvider as { set(crypto: unknown): unknown }).set(webcrypto);
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${name}`,
      ...validity(),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    const ca = new TestCertificateAuthority(x509, keys, certificate);
    await ca.server;
    return ca;
  }

  /** The CA's certificate, PEM: what a server lists in `ca` to ask for client certificates. */
  get cert(): string {
    return this.certificate.toString('pem');
  }

  /** A client certificate (TLS client authentication) for `commonName`. */
  issueClient(commonName = 'client'): Promise<TestCertificate> {
    return this.issue(commonName, CLIENT_AUTH, []);
  }

  private async issue(
    commonName: string,
    usage: string,
    names: { type: 'dns' | 'ip'; value: string }[],
  ): Promise<TestCertificate> {
    const { x509 } = this;
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    this.serial += 1;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: this.serial.toString(16).padStart(2, '0'),
      subject: `CN=${commonName}`,
      issuer: this.certificate.subject,
      ...validity(),
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const cert = certificate.toString('pem');
    return {
      cert,
      key: key.export({ format: 'pem', type: 'pkcs8' }) as string,
      thumbprint: certificateThumbprint(cert),
    };
  }
}

/** Base64url SHA-256 of a PEM certificate's DER (RFC 8705 §3.1 `x5t#S256`). */
export function certificateThumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

/**
 * The `cnf` claim binding a token to `certificate` (RFC 8705 §3.1), to spread into a token's claims.
 * @example
 * issuer.token({ claims: certificateBoundClaims(client) });
 */
export function certificateBoundClaims(certificate: Pick<TestCertificate, 'thumbprint'>): {
  cnf: { 'x5t#S256': string };
} {
  return { cnf: { 'x5t#S256': certificate.thumbprint } };
}

/** The certificate as a TLS-terminating proxy forwards it: URL-encoded PEM (nginx's `$ssl_client_escaped_cert`). */
export function forwardedCertificateHeader(certificate: Pick<TestCertificate, 'cert'>): string {
  return encodeURIComponent(certificate.cert);
}

function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 30 * DAY_MS) };
}
