import type { ResolvedOptions, ResourceServerOptions } from './resource-server-options.js';
import { isOrigin } from './url-checks.js';

// RFC 9110 §5.1 field-name is a token
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks the options of RFC 9728 (`resource`) and RFC 8705 (`mtls`,
 * `forwardedClientCertificateHeader`), reporting each problem through `problem`.
 * @internal
 */
export function resolveResourceOptions(
  options: ResourceServerOptions,
  problem: (option: string, text: string) => void,
  label: (option: string) => string,
): Pick<ResolvedOptions, 'resource' | 'mtls' | 'forwardedClientCertificateHeader'> {
  const { resource, mtls, forwardedClientCertificateHeader: header } = options;
  if (resource !== undefined && !isOrigin(resource)) {
    problem(
      'resource',
      `expected a URL without path, query or fragment, such as https://api.example.com, got ${show(resource)}`,
    );
  }
  if (mtls !== undefined && typeof mtls !== 'boolean') problem('mtls', `expected true or false, got ${show(mtls)}`);
  if (header !== undefined) {
    if (typeof header !== 'string' || !HEADER_NAME.test(header)) {
      problem('forwardedClientCertificateHeader', `expected a header name, got ${show(header)}`);
    } else if (mtls !== true) {
      problem('forwardedClientCertificateHeader', `needs certificate-bound tokens on (${label('mtls')})`);
    }
  }
  return {
    resource: typeof resource === 'string' ? resource : undefined,
    mtls: mtls === true,
    forwardedClientCertificateHeader: typeof header === 'string' ? header.toLowerCase() : undefined,
  };
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
