import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';
import type { ResourceServerOptions } from './resource-server-options.js';

const BASE: ResourceServerOptions = { issuer: 'https://auth.example.com', audience: 'api' };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ResourceServerConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('resolveOptions: resource, mtls, forwardedClientCertificateHeader', () => {
  it('leaves them off by default', () => {
    expect(resolveOptions(BASE)).toMatchObject({ resource: undefined, mtls: false });
  });

  it.each(['https://todo.example.com', 'http://127.0.0.1:3001', 'https://api.example.com:8443'])(
    'accepts the resource %s',
    (resource) => {
      expect(resolveOptions({ ...BASE, resource }).resource).toBe(resource);
    },
  );

  it.each([
    'https://todo.example.com/',
    'https://todo.example.com/api',
    'https://todo.example.com?x=1',
    'https://todo.example.com#top',
    'todo.example.com',
    'ftp://todo.example.com',
    '',
  ])('refuses the resource %j at start-up', (resource) => {
    expect(problemsOf(() => resolveOptions({ ...BASE, resource }))).toEqual([
      expect.stringMatching(/^resource: expected a URL without path, query or fragment/),
    ]);
  });

  it('lower-cases the forwarded header name', () => {
    const resolved = resolveOptions({ ...BASE, mtls: true, forwardedClientCertificateHeader: 'X-SSL-Client-Cert' });
    expect(resolved).toMatchObject({ mtls: true, forwardedClientCertificateHeader: 'x-ssl-client-cert' });
  });

  it('refuses a forwarded header without mtls', () => {
    expect(problemsOf(() => resolveOptions({ ...BASE, forwardedClientCertificateHeader: 'x-cert' }))).toEqual([
      'forwardedClientCertificateHeader: needs certificate-bound tokens on (mtls)',
    ]);
  });

  it('refuses a header name with a space', () => {
    expect(
      problemsOf(() => resolveOptions({ ...BASE, mtls: true, forwardedClientCertificateHeader: 'x cert' })),
    ).toEqual(['forwardedClientCertificateHeader: expected a header name, got "x cert"']);
  });
});

describe('optionsFromEnv: OAUTH_RESOURCE, OAUTH_MTLS, OAUTH_MTLS_CERT_HEADER', () => {
  const env = { OAUTH_ISSUER: 'https://auth.example.com', OAUTH_AUDIENCE: 'api' };

  it('reads them', () => {
    const options = optionsFromEnv({
      ...env,
      OAUTH_RESOURCE: 'https://todo.example.com',
      OAUTH_MTLS: 'true',
      OAUTH_MTLS_CERT_HEADER: 'x-ssl-client-cert',
    });
    expect(resolveOptions(options)).toMatchObject({
      resource: 'https://todo.example.com',
      mtls: true,
      forwardedClientCertificateHeader: 'x-ssl-client-cert',
    });
  });

  it('names OAUTH_RESOURCE when it is invalid', () => {
    expect(problemsOf(() => resolveOptions(optionsFromEnv({ ...env, OAUTH_RESOURCE: 'https://x.example/a' })))).toEqual(
      [expect.stringMatching(/^OAUTH_RESOURCE: expected a URL without path/)],
    );
  });

  it('names OAUTH_MTLS when it is not a flag', () => {
    expect(problemsOf(() => optionsFromEnv({ ...env, OAUTH_MTLS: 'maybe' }))).toEqual([
      'OAUTH_MTLS: expected true or false, got "maybe"',
    ]);
  });

  it('names both variables when the header comes without OAUTH_MTLS', () => {
    expect(problemsOf(() => resolveOptions(optionsFromEnv({ ...env, OAUTH_MTLS_CERT_HEADER: 'x-cert' })))).toEqual([
      'OAUTH_MTLS_CERT_HEADER: needs certificate-bound tokens on (OAUTH_MTLS)',
    ]);
  });
});
