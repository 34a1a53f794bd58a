import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { authServerConfigFromEnv } from '../apps/auth-server/src/auth-server-config.js';
import { startAuthServer, type RunningAuthServer } from '../apps/auth-server/src/auth-server.js';
import { logIn, WEB_ORIGIN, webClient } from '../apps/auth-server/test/support/login-flow.js';

/** `npm run doctor -- <args>` with only `env` (plus PATH): as an operator runs it (no --silent), from the build. */
function npmDoctor(args: readonly string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string; verdict: string }>((resolve) => {
    const child = spawn('npm', ['run', 'doctor', '--', ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => {
      const lines = stdout.trimEnd().split('\n');
      resolve({ status, stdout, stderr, verdict: lines[lines.length - 1] ?? '' });
    });
  });
}

describe('npm run doctor against the dev authorization server (oidc-provider)', () => {
  let auth: RunningAuthServer;
  let config: client.Configuration;
  let tokens: { access_token: string; id_token?: string };

  beforeAll(async () => {
    auth = await startAuthServer({
      ...authServerConfigFromEnv({ PORT: '0', HOST: '127.0.0.1', WEB_ORIGIN }),
      issuer: undefined,
    });
    config = await webClient(auth.url);
    tokens = (await logIn(config, 'alice')).tokens;
  }, 30_000);
  afterAll(async () => {
    await auth?.close();
  });

  it('accepts alice’s access token for todo-api with its scope and role (exit 0), printing neither token', async () => {
    const run = await npmDoctor(['--scope', 'todo:write', '--role', 'admin', tokens.access_token], {
      OAUTH_ISSUER: auth.url,
      OAUTH_AUDIENCE: 'todo-api',
    });
    expect(run.verdict).toBe('accepted');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^route: pass - scope todo:write, role admin$/m);
    expect(run.stdout + run.stderr).not.toContain(tokens.access_token);
    expect(run.stdout + run.stderr).not.toContain(tokens.access_token.split('.')[2]);
  });

  it('refuses the id token (token_type_not_accepted) even when its aud is accepted', async () => {
    const run = await npmDoctor([tokens.id_token!], { OAUTH_ISSUER: auth.url, OAUTH_AUDIENCE: 'todo-api,web' });
    expect(run.verdict).toBe('refused: token_type_not_accepted');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^id-token markers: fail - /m);
    expect(run.stdout + run.stderr).not.toContain(tokens.id_token!);
  });

  it('refuses the access token for an API of another audience, saying what to change', async () => {
    const run = await npmDoctor([tokens.access_token], { OAUTH_ISSUER: auth.url, OAUTH_AUDIENCE: 'billing-api' });
    expect(run.verdict).toBe('refused: audience_mismatch');
    expect(run.stdout).toMatch(
      /^aud: fail - aud \["todo-api","help-api"\] holds none of OAUTH_AUDIENCE \(billing-api\)/m,
    );
  });

  it('checks the token by introspection with help-api’s credentials', async () => {
    const env = {
      OAUTH_ISSUER: auth.url,
      OAUTH_AUDIENCE: 'help-api',
      OAUTH_STRATEGY: 'introspection',
      OAUTH_CLIENT_ID: 'help-api',
      OAUTH_CLIENT_SECRET: 'help-secret',
    };
    const run = await npmDoctor(['--role', 'support', tokens.access_token], env);
    expect(run.stdout).toMatch(/^introspection: pass - active: true/m);
    expect(run.verdict).toBe('refused: role_missing');
    expect(run.stdout + run.stderr).not.toContain('help-secret');
  });

  it('takes the samples’ audiences when OAUTH_AUDIENCE is unset', async () => {
    const run = await npmDoctor([tokens.access_token], { OAUTH_ISSUER: auth.url });
    expect(run.stdout).toMatch(/^configuration: pass - issuer \S+, audience todo-api,help-api, strategy jwt,/m);
    expect(run.verdict).toBe('accepted');
  });

  it('cannot tell (exit 2) when the issuer does not answer', async () => {
    const run = await npmDoctor([tokens.access_token], {
      OAUTH_HTTP_TIMEOUT_MS: '1000',
      OAUTH_ISSUER: 'http://127.0.0.1:1',
    });
    expect(run.status).toBe(2);
    expect(run.verdict).toBe('cannot tell: authorization server unavailable (discovery_unreachable)');
  });
});
