import { readFileSync } from 'node:fs';
import type { EnvReader } from './env.js';

/** The PEM files of `OAUTH_MTLS=true`: the server's certificate and key, and the CAs of client certificates. */
export interface TlsFiles {
  /** `TLS_CERT`: the server certificate (and chain), PEM. */
  readonly cert: string;
  /** `TLS_KEY`: its private key, PEM. */
  readonly key: string;
  /** `TLS_CA`: the CAs whose client certificates are asked for, PEM. */
  readonly ca: string;
}

const FILES = [
  ['cert', 'TLS_CERT', 'CERTIFICATE'],
  ['key', 'TLS_KEY', 'PRIVATE KEY'],
  ['ca', 'TLS_CA', 'CERTIFICATE'],
] as const;

/**
 * Reads `TLS_CERT`, `TLS_KEY` and `TLS_CA` (paths of PEM files), recording a problem naming the
 * variable for each one missing, unreadable or not PEM of the expected kind.
 * @returns the three files, or undefined when one of them had a problem.
 */
export function tlsFilesFromEnv(env: EnvReader): TlsFiles | undefined {
  const files: Partial<Record<keyof TlsFiles, string>> = {};
  for (const [field, variable, kind] of FILES) {
    const path = env.optional(variable);
    if (!path) {
      env.problem(variable, 'required with OAUTH_MTLS=true (path of a PEM file)');
      continue;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      env.problem(
        variable,
        `cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      continue;
    }
    if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
      env.problem(variable, `${JSON.stringify(path)} holds no PEM ${kind.toLowerCase()}`);
      continue;
    }
    files[field] = text;
  }
  return files.cert && files.key && files.ca ? (files as TlsFiles) : undefined;
}

/**
 * HTTPS with client certificates asked for but not required (RFC 8705): a connection without
 * one still works, and a certificate-bound token is checked against the one presented.
 */
export function httpsOptionsFor(tls: TlsFiles): TlsFiles & { requestCert: true; rejectUnauthorized: false } {
  return { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false };
}
