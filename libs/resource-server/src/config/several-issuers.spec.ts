import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';
import { ResourceServerConfigError } from './resource-server-config.error.js';
import type { ResourceServerOptions } from './resource-server-options.js';

const A = 'https://a.example.com';
const B = 'https://b.example.com/realms/x';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ResourceServerConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ResourceServerConfigError');
}

describe('resolveOptions with several issuers', () => {
  const base: ResourceServerOptions = { issuer: [A, B], audience: 'api' };

  it('keeps one issuer as before: the list of one, its jwksUri from the option', () => {
    const resolved = resolveOptions({ issuer: A, audience: 'api', jwksUri: `${A}/jwks` });
    expect(resolved.issuer).toBe(A);
    expect(resolved.jwksUri).toBe(`${A}/jwks`);
    expect(resolved.issuers).toEqual([
      { issuer: A, audiences: new Set(['api']), algorithms: ['RS256', 'PS256', 'ES256'], jwksUri: `${A}/jwks` },
    ]);
  });

  it('resolves each issuer of a list, inheriting audience and algorithms', () => {
    const resolved = resolveOptions({
      ...base,
      issuer: [A, { issuer: B, audience: ['partner'], algorithms: ['ES256'], jwksUri: `${B}/certs` }],
    });
    expect(resolved.issuer).toBe(A);
    expect(resolved.issuers.map((i) => [i.issuer, [...i.audiences], i.algorithms, i.jwksUri])).toEqual([
      [A, ['api'], ['RS256', 'PS256', 'ES256'], undefined],
      [B, ['partner'], ['ES256'], `${B}/certs`],
    ]);
  });

  it('keeps a resolver, with no static issuer', () => {
    const resolver = () => undefined;
    const resolved = resolveOptions({ ...base, issuer: resolver });
    expect(resolved.issuerResolver).toBe(resolver);
    expect(resolved.issuers).toEqual([]);
    expect(resolved.maxResolvedIssuers).toBe(1000);
    expect(resolveOptions({ ...base, issuer: resolver, maxResolvedIssuers: 50 }).maxResolvedIssuers).toBe(50);
  });

  it.each<[string, Partial<ResourceServerOptions>, string]>([
    ['an empty list', { issuer: [] }, 'issuer: expected one or more issuers, got an empty list'],
    ['a malformed issuer in the list', { issuer: [A, 'not a url'] }, 'issuer: expected http(s) URLs, got "not a url"'],
    ['an issuer listed twice', { issuer: [A, A] }, `issuer: lists "${A}" twice`],
    [
      'no room for a resolved issuer',
      { maxResolvedIssuers: 0 },
      'maxResolvedIssuers: expected a count (a number ≥ 1), got 0',
    ],
    [
      'one jwksUri for several issuers',
      { jwksUri: `${A}/jwks` },
      'jwksUri: with several issuers, give each issuer its own jwksUri',
    ],
    [
      'introspection with several issuers',
      { strategy: 'introspection', introspection: { clientId: 'c', clientSecret: 's' } },
      'issuer: the introspection strategy takes exactly one issuer (it introspects at one endpoint)',
    ],
    [
      'auto with several issuers',
      { strategy: 'auto', introspection: { clientId: 'c', clientSecret: 's' } },
      'issuer: the auto strategy takes exactly one issuer (it introspects at one endpoint)',
    ],
    [
      'an HS algorithm for one issuer without a secret',
      { issuer: [A, { issuer: B, algorithms: ['HS256'] }] },
      `algorithms: "HS256" is not usable for "${B}"`,
    ],
  ])('refuses %s, naming the option', (_case, options, line) => {
    expect(problemsOf(() => resolveOptions({ ...base, ...options }))).toEqual([line]);
  });
});

describe('optionsFromEnv with several issuers', () => {
  it('reads OAUTH_ISSUER as a comma-separated list', () => {
    const options = optionsFromEnv({ OAUTH_ISSUER: ` ${A} , ${B} `, OAUTH_AUDIENCE: 'api' });
    expect(options.issuer).toEqual([A, B]);
    expect(resolveOptions(options).issuers.map((i) => i.issuer)).toEqual([A, B]);
  });

  it('pairs OAUTH_JWKS_URI with the issuers, in the same order', () => {
    const options = optionsFromEnv({
      OAUTH_ISSUER: `${A},${B}`,
      OAUTH_JWKS_URI: `${A}/jwks,${B}/certs`,
      OAUTH_AUDIENCE: 'api',
    });
    expect(options.issuer).toEqual([
      { issuer: A, jwksUri: `${A}/jwks` },
      { issuer: B, jwksUri: `${B}/certs` },
    ]);
    expect(options.jwksUri).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'an OAUTH_JWKS_URI list of another length',
      { OAUTH_ISSUER: `${A},${B}`, OAUTH_JWKS_URI: `${A}/jwks` },
      'OAUTH_JWKS_URI: expected 2 URLs, one per issuer of OAUTH_ISSUER in the same order, got 1',
    ],
    [
      'a malformed issuer in the list',
      { OAUTH_ISSUER: `${A},b.example.com` },
      'OAUTH_ISSUER: expected http(s) URLs, got "b.example.com"',
    ],
    [
      'several issuers with introspection',
      { OAUTH_ISSUER: `${A},${B}`, OAUTH_STRATEGY: 'introspection', OAUTH_CLIENT_ID: 'c', OAUTH_CLIENT_SECRET: 's' },
      'OAUTH_ISSUER: the introspection strategy takes exactly one issuer (it introspects at one endpoint)',
    ],
    [
      'a malformed JWKS URI in the list',
      { OAUTH_ISSUER: `${A},${B}`, OAUTH_JWKS_URI: `${A}/jwks,nope` },
      'OAUTH_JWKS_URI: expected an http(s) URL, got "nope"',
    ],
    [
      'an unknown OAUTH_PROVIDER',
      { OAUTH_ISSUER: A, OAUTH_PROVIDER: 'okta' },
      'OAUTH_PROVIDER: expected one of generic, fusionauth, keycloak, auth0, entra, cognito or a ProviderPreset, got "okta"',
    ],
  ])('refuses %s in one line naming the variable', (_case, env, line) => {
    expect(problemsOf(() => resolveOptions(optionsFromEnv({ OAUTH_AUDIENCE: 'api', ...env })))).toEqual([line]);
  });
});
