import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  forwardedCertificateHeader,
  TestCertificateAuthority,
  type TestCertificate,
} from '../testing/test-certificate-authority.js';
import { clientCertificateThumbprint } from './client-certificate.js';

/** A request as Node hands it over a TLS connection (or a plain one when `peer` is undefined). */
function requestWith(peer: TestCertificate | undefined, headers: IncomingMessage['headers'] = {}, encrypted = true) {
  const socket = encrypted
    ? { encrypted: true, getPeerCertificate: () => (peer ? { raw: new X509Certificate(peer.cert).raw } : {}) }
    : {};
  return { socket, headers } as unknown as IncomingMessage;
}

describe('clientCertificateThumbprint', () => {
  let alice: TestCertificate;
  let bob: TestCertificate;
  const HEADER = 'x-ssl-client-cert';

  beforeAll(async () => {
    const ca = await TestCertificateAuthority.create();
    alice = await ca.issueClient('alice');
    bob = await ca.issueClient('bob');
  });

  it('is the base64url SHA-256 of the connection certificate', () => {
    expect(clientCertificateThumbprint(requestWith(alice), { mtls: true })).toBe(alice.thumbprint);
    expect(alice.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is undefined when mTLS is off, whatever the connection carries', () => {
    expect(clientCertificateThumbprint(requestWith(alice), { mtls: false })).toBeUndefined();
  });

  it('is undefined over TLS without a client certificate', () => {
    expect(clientCertificateThumbprint(requestWith(undefined), { mtls: true })).toBeUndefined();
  });

  it('never reads the forwarded header unless configured', () => {
    const request = requestWith(undefined, { [HEADER]: forwardedCertificateHeader(alice) }, false);
    expect(clientCertificateThumbprint(request, { mtls: true })).toBeUndefined();
  });

  it('reads URL-encoded PEM from the configured header', () => {
    const request = requestWith(undefined, { [HEADER]: forwardedCertificateHeader(alice) }, false);
    expect(clientCertificateThumbprint(request, { mtls: true, forwardedHeader: HEADER })).toBe(alice.thumbprint);
  });

  it('reads URL-encoded base64 DER from the configured header', () => {
    const der = new X509Certificate(alice.cert).raw.toString('base64');
    const request = requestWith(undefined, { [HEADER]: encodeURIComponent(der) }, false);
    expect(clientCertificateThumbprint(request, { mtls: true, forwardedHeader: HEADER })).toBe(alice.thumbprint);
  });

  it('prefers the connection certificate to a forwarded one', () => {
    const request = requestWith(alice, { [HEADER]: forwardedCertificateHeader(bob) });
    expect(clientCertificateThumbprint(request, { mtls: true, forwardedHeader: HEADER })).toBe(alice.thumbprint);
  });

  it.each<[string, string | string[]]>([
    ['an empty value (nginx without a certificate)', ''],
    ['text that is no certificate', 'hello'],
    ['a PEM block of garbage', encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')],
    ['a broken percent-encoding', '%E0%A4%A'],
    ['a repeated header', ['a', 'b']],
  ])('is undefined for %s in the forwarded header', (_case, value) => {
    const request = requestWith(undefined, { [HEADER]: value }, false);
    expect(clientCertificateThumbprint(request, { mtls: true, forwardedHeader: HEADER })).toBeUndefined();
  });
});
