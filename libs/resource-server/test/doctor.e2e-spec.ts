import { spawn } from 'node:child_process';
import { createSecretKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signJws, TestIssuer } from 'nest-resource-server/testing';

const CLI = fileURLToPath(new URL('../dist/doctor/cli.js', import.meta.url));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line of standard output. */
  readonly verdict: string;
}

/** Runs the built `nest-resource-server doctor` with only `env` (plus PATH), as an operator would. */
function doctor(args: readonly string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'doctor', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(stdin ?? '');
    child.on('close', (status) => {
      const lines = stdout.trimEnd().split('\n');
      resolve({ status, stdout, stderr, verdict: lines[lines.length - 1] ?? '' });
    });
  });
}

/** Neither the token, nor any long piece of it, nor a secret, appears anywhere in the output. */
function expectNoLeak(run: Run, token: string, secrets: readonly string[] = []): void {
  const output = run.stdout + run.stderr;
  expect(output).not.toContain(token);
  for (const part of token.split('.')) if (part.length >= 8) expect(output).not.toContain(part);
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe('nest-resource-server doctor (the built command, against the test issuer)', () => {
  let issuer: TestIssuer;
  let env: Record<string, string>;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    issuer.addIntrospectionClient('todo-api', 'doctor-secret-123');
    env = { OAUTH_ISSUER: issuer.url, OAUTH_AUDIENCE: 'todo-api', OAUTH_HTTP_TIMEOUT_MS: '2000' };
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('accepts a valid token (exit 0), a line per check in the contract order, and never prints the token', async () => {
    const token = issuer.token();
    const run = await doctor([token], env);
    expect(run.status).toBe(0);
    expect(run.verdict).toBe('accepted');
    const checks = run.stdout
      .trimEnd()
      .split('\n')
      .slice(0, -1)
      .map((line) => line.slice(0, line.indexOf(':')));
    expect(checks).toEqual([
      'configuration',
      'discovery',
      'jwks',
      'header',
      'key',
      'signature',
      'exp/nbf/iat',
      'iss',
      'aud',
      'id-token markers',
      'cnf',
    ]);
    expect(run.stdout).toMatch(/^header: pass - alg RS256, typ "at\+jwt", kid "[^"]+", no crit$/m);
    expect(run.stdout).toMatch(/^exp\/nbf\/iat: pass - exp in \d+ min, iat \d+ s ago, clock tolerance 30 s$/m);
    expectNoLeak(run, token);
  });

  it('reads the token from standard input with "-"', async () => {
    const token = issuer.token();
    const run = await doctor(['-'], env, `${token}\n`);
    expect(run.verdict).toBe('accepted');
    expectNoLeak(run, token);
  });

  const foreign = TestIssuer.foreignKey();
  it.each<[string, (i: TestIssuer) => string, string, string]>([
    [
      'expired',
      (i) => i.token({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }),
      'token_expired',
      'exp/nbf/iat',
    ],
    [
      'not yet valid',
      (i) => i.token({ claims: { nbf: Math.floor(Date.now() / 1000) + 3600 } }),
      'token_not_yet_valid',
      'exp/nbf/iat',
    ],
    [
      'forged with the right kid (and expired: the signature comes first)',
      (i) => i.token({ key: foreign, header: { kid: i.currentKey.kid }, claims: { exp: 1 } }),
      'signature_invalid',
      'signature',
    ],
    ['signed by an unknown key', (i) => i.token({ key: foreign }), 'key_unknown', 'key'],
    ['with alg none', (i) => unsigned(i.token({ header: { alg: 'none' } })), 'algorithm_not_allowed', 'header'],
    ['with typ JWS', (i) => i.token({ header: { typ: 'JWS' } }), 'token_type_not_accepted', 'header'],
    ['with crit', (i) => i.token({ header: { crit: ['exp'] } }), 'token_malformed', 'header'],
    ['from another issuer', (i) => i.token({ claims: { iss: 'https://other.example' } }), 'issuer_mismatch', 'iss'],
    ['for another audience', (i) => i.token({ claims: { aud: 'help-api' } }), 'audience_mismatch', 'aud'],
    [
      'an id token',
      (i) => i.token({ claims: { at_hash: 'x', nonce: 'n', scope: undefined } }),
      'token_type_not_accepted',
      'id-token markers',
    ],
    ['bound to a DPoP key', (i) => i.token({ claims: { cnf: { jkt: 'thumbprint' } } }), 'token_bound', 'cnf'],
    ['not a JWS', () => 'not.a-jws', 'token_malformed', 'header'],
  ])('refuses a token %s (exit 1, its reason last), failing on its line', async (_name, mint, reason, check) => {
    const token = mint(issuer);
    const run = await doctor([token], env);
    expect(run.verdict).toBe(`refused: ${reason}`);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${check.replace('/', '\\/')}: fail - `, 'm'));
    expectNoLeak(run, token);
  });

  it('says what proof a certificate-bound token needs', async () => {
    const run = await doctor([issuer.token({ claims: { cnf: { 'x5t#S256': 'abc' } } })], env);
    expect(run.verdict).toBe('refused: token_bound');
    expect(run.stdout).toMatch(/^cnf: fail - token_bound: bound to a client certificate .*mutual TLS/m);
  });

  it('shows the clock skew it sees', async () => {
    const iat = Math.floor(Date.now() / 1000) + 600;
    const run = await doctor([issuer.token({ claims: { iat } })], env);
    expect(run.verdict).toBe('refused: token_not_yet_valid');
    expect(run.stdout).toMatch(/iat (9|10) min ahead of this clock, clock tolerance 30 s, the issuer's clock looks/);
    const tolerant = await doctor([issuer.token({ claims: { iat } })], { ...env, OAUTH_CLOCK_TOLERANCE: '900' });
    expect(tolerant.verdict).toBe('accepted');
  });

  it.each<[string, string[], Record<string, unknown>, string, number]>([
    ['has the scope', ['--scope', 'todo:write'], { scope: 'openid todo:write' }, 'accepted', 0],
    ['lacks the scope', ['--scope', 'todo:write'], { scope: 'todo:writer' }, 'refused: scope_missing', 1],
    ['has the role', ['--role', 'admin'], { roles: ['admin'] }, 'accepted', 0],
    ['lacks the role', ['--scope', 'openid', '--role', 'admin'], { roles: 'user' }, 'refused: role_missing', 1],
  ])('checks the route rules given as flags: a token that %s', async (_name, args, claims, verdict, status) => {
    const run = await doctor([...args, issuer.token({ claims })], env);
    expect(run.verdict).toBe(verdict);
    expect(run.status).toBe(status);
    expect(run.stdout).toMatch(/^route: (pass|fail) - /m);
  });

  it('accepts an HS256 token with OAUTH_HMAC_SECRET, and never prints the secret', async () => {
    const secret = 'hmac-secret-of-at-least-32-bytes!!';
    const now = Math.floor(Date.now() / 1000);
    const token = signJws(
      { alg: 'HS256', typ: 'JWT' },
      { iss: issuer.url, aud: 'todo-api', sub: 'svc', iat: now, exp: now + 60 },
      createSecretKey(Buffer.from(secret)),
    );
    const run = await doctor([token], { ...env, OAUTH_ALGORITHMS: 'RS256,HS256', OAUTH_HMAC_SECRET: secret });
    expect(run.verdict).toBe('accepted');
    expect(run.stdout).toMatch(/^key: pass - the shared secret \(OAUTH_HMAC_SECRET\)$/m);
    expectNoLeak(run, token, [secret]);
    const refused = await doctor([token], env);
    expect(refused.verdict).toBe('refused: algorithm_not_allowed');
  });

  it('takes flags over the variables', async () => {
    const run = await doctor(['--audience', 'help-api', issuer.token({ claims: { aud: 'help-api' } })], env);
    expect(run.verdict).toBe('accepted');
  });

  describe('with several issuers in OAUTH_ISSUER', () => {
    let second: TestIssuer;
    let stranger: TestIssuer;
    beforeAll(async () => {
      [second, stranger] = await Promise.all([
        TestIssuer.start({ audience: 'todo-api' }),
        TestIssuer.start({ audience: 'todo-api' }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([second?.close(), stranger?.close()]);
    });
    const several = () => ({ ...env, OAUTH_ISSUER: `${issuer.url},${second.url}` });

    it('follows the token’s iss to its issuer: its discovery, its keys, its checks', async () => {
      const token = second.token();
      const run = await doctor([token], several());
      expect(run.verdict).toBe('accepted');
      expect(run.stdout).toContain(`issuer: pass - iss "${second.url}": issuer 2 of 2 in OAUTH_ISSUER`);
      expect(run.stdout).toContain(`discovery: pass - ${second.url}/.well-known/openid-configuration`);
      expect(run.stdout).toMatch(/^key: pass - kid "[^"]+" in the JWKS \(rsa\)$/m);
      expect(run.stdout).toContain(`iss: pass - "${second.url}"`);
      expect(run.stdout).not.toContain('fail');
      expectNoLeak(run, token);
    });

    it('refuses a token of an issuer not listed, naming the listed ones, and fetches nothing from it', async () => {
      const token = stranger.token();
      const run = await doctor([token], several());
      expect(run.status).toBe(1);
      expect(run.verdict).toBe('refused: issuer_mismatch');
      expect(run.stdout).toContain(
        `issuer: fail - iss "${stranger.url}"; OAUTH_ISSUER lists ${issuer.url}, ${second.url}`,
      );
      expect([...stranger.hits.values()].reduce((sum, n) => sum + n, 0)).toBe(0);
    });
  });

  describe('with a provider preset', () => {
    it('checks --role where keycloak keeps roles (realm and the audience’s client roles)', async () => {
      const keycloak = { ...env, OAUTH_PROVIDER: 'keycloak' };
      const claims = { realm_access: { roles: ['user'] }, resource_access: { 'todo-api': { roles: ['editor'] } } };
      const token = issuer.token({ claims });
      expect((await doctor(['--role', 'editor', token], keycloak)).verdict).toBe('accepted');
      const refused = await doctor(['--role', 'admin', token], keycloak);
      expect(refused.verdict).toBe('refused: role_missing');
      expect(refused.stdout).toContain(
        'route: fail - role admin: roles held: user, editor; the roles the keycloak preset',
      );
    });

    it('checks --scope against auth0 permissions too', async () => {
      const auth0 = { ...env, OAUTH_PROVIDER: 'auth0' };
      const token = issuer.token({ claims: { scope: 'openid', permissions: ['todo:write'] } });
      expect((await doctor(['--scope', 'todo:write', token], auth0)).verdict).toBe('accepted');
      expect((await doctor(['--provider', 'auth0', '--scope', 'todo:write', token], env)).verdict).toBe('accepted');
      expect((await doctor(['--scope', 'todo:write', token], env)).verdict).toBe('refused: scope_missing');
      const refused = await doctor(['--scope', 'todo:delete', token], auth0);
      expect(refused.verdict).toBe('refused: scope_missing');
      expect(refused.stdout).toContain('scopes held: openid todo:write');
    });
  });

  describe('with OAUTH_STRATEGY=introspection', () => {
    const introspection = () => ({
      ...env,
      OAUTH_STRATEGY: 'introspection',
      OAUTH_CLIENT_ID: 'todo-api',
      OAUTH_CLIENT_SECRET: 'doctor-secret-123',
    });

    it('accepts an active token for the audience, and never prints the client secret', async () => {
      const token = issuer.opaqueToken({ claims: { scope: 'todo:write' } });
      const run = await doctor(['--scope', 'todo:write', token], introspection());
      expect(run.verdict).toBe('accepted');
      expect(run.stdout).toMatch(/^introspection: pass - active: true/m);
      expectNoLeak(run, token, ['doctor-secret-123']);
    });

    it.each<[string, (i: TestIssuer) => string, string]>([
      ['unknown (inactive)', () => 'opaque-token-the-server-never-issued', 'token_inactive'],
      ['for another audience', (i) => i.opaqueToken({ claims: { aud: 'help-api' } }), 'audience_mismatch'],
      ['from another issuer', (i) => i.opaqueToken({ claims: { iss: 'https://other.example' } }), 'issuer_mismatch'],
      ['bound to a DPoP key', (i) => i.opaqueToken({ claims: { cnf: { jkt: 'thumbprint' } } }), 'token_bound'],
    ])('refuses a token %s', async (_name, mint, reason) => {
      const token = mint(issuer);
      const run = await doctor([token], introspection());
      expect(run.verdict).toBe(`refused: ${reason}`);
      expect(run.status).toBe(1);
      expectNoLeak(run, token, ['doctor-secret-123']);
    });

    it('cannot tell (exit 2) when the API’s own credentials are refused', async () => {
      const token = issuer.opaqueToken();
      const run = await doctor([token], { ...introspection(), OAUTH_CLIENT_SECRET: 'wrong-secret-456' });
      expect(run.status).toBe(2);
      expect(run.verdict).toMatch(
        /^cannot tell: authorization server unavailable \(introspection_credentials_refused\)$/,
      );
      expectNoLeak(run, token, ['wrong-secret-456']);
    });
  });

  it('cannot tell (exit 2) when the authorization server is unreachable, naming the failing fetch', async () => {
    const down = await TestIssuer.start({ audience: 'todo-api' });
    const token = down.token();
    await down.close();
    const run = await doctor([token], { ...env, OAUTH_ISSUER: down.url });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/^discovery: fail - .*discovery_unreachable/m);
    expect(run.verdict).toBe('cannot tell: authorization server unavailable (discovery_unreachable)');
    expectNoLeak(run, token);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a malformed issuer', { OAUTH_ISSUER: 'issuer.example' }, /^configuration: fail - OAUTH_ISSUER: /m],
    ['an unknown strategy', { OAUTH_STRATEGY: 'magic' }, /^configuration: fail - OAUTH_STRATEGY: /m],
    ['a non-numeric tolerance', { OAUTH_CLOCK_TOLERANCE: 'abc' }, /^configuration: fail - OAUTH_CLOCK_TOLERANCE: /m],
    [
      'introspection without credentials',
      { OAUTH_STRATEGY: 'introspection' },
      /^configuration: fail - OAUTH_CLIENT_ID/m,
    ],
  ])('cannot tell (exit 2) with %s, naming the variable', async (_name, bad, line) => {
    const token = issuer.token();
    const run = await doctor([token], { ...env, ...bad });
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(line);
    expect(run.verdict).toBe('cannot tell: bad configuration');
    expectNoLeak(run, token);
  });

  it('answers 2 with its usage, echoing no value, for an unknown option or no token', async () => {
    const token = issuer.token();
    const unknown = await doctor(['--frobnicate', token, token], env);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('usage: nest-resource-server doctor');
    expectNoLeak(unknown, token);
    const none = await doctor([], env);
    expect(none.status).toBe(2);
  });
});

/** The token with its signature removed (as `alg: none` tokens come). */
function unsigned(token: string): string {
  return `${token.slice(0, token.lastIndexOf('.'))}.`;
}
