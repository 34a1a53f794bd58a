import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceServerConfigError } from 'nest-resource-server';
import {
  certificateBoundClaims,
  TestCertificateAuthority,
  TestIssuer,
  type TestCertificate,
} from 'nest-resource-server/testing';
import { sampleApiConfigFromEnv } from '../../shared/src/sample-api.js';
import { get, type ClientTls } from '../../../test/support/https-client.js';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

const DEFAULTS = { port: 3001, audience: 'todo-api' };
const RESOURCE = 'https://todo.example.com';

describe('todo-api with OAUTH_MTLS=true', () => {
  let dir: string;
  let ca: TestCertificateAuthority;
  let alice: TestCertificate;
  let bob: TestCertificate;
  let files: Record<'TLS_CERT' | 'TLS_KEY' | 'TLS_CA', string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'todo-api-mtls-'));
    ca = await TestCertificateAuthority.create();
    const server = await ca.server;
    alice = await ca.issueClient('alice');
    bob = await ca.issueClient('bob');
    files = { TLS_CERT: join(dir, 'server.pem'), TLS_KEY: join(dir, 'server.key'), TLS_CA: join(dir, 'ca.pem') };
    writeFileSync(files.TLS_CERT, server.cert);
    writeFileSync(files.TLS_KEY, server.key);
    writeFileSync(files.TLS_CA, ca.cert);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(['express', 'fastify'])('over HTTPS (HTTP_PLATFORM=%s)', (platform) => {
    let issuer: TestIssuer;
    let api: RunningApp;
    const as = (client?: TestCertificate): ClientTls => ({
      ca: ca.cert,
      ...(client ? { cert: client.cert, key: client.key } : {}),
    });
    const bearer = (claims: Record<string, unknown> = {}) => ({
      authorization: `Bearer ${issuer.token({ claims })}`,
    });

    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'todo-api' });
      api = await startSampleApp((o) => TodoApiModule.forRoot(o), DEFAULTS, {
        OAUTH_ISSUER: issuer.url,
        HTTP_PLATFORM: platform,
        OAUTH_MTLS: 'true',
        OAUTH_RESOURCE: RESOURCE,
        ...files,
      });
    });
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
    });

    it('serves HTTPS to a client without a certificate', async () => {
      expect(api.url).toMatch(/^https:/);
      expect((await get(`${api.url}/health`, {}, as())).status).toBe(200);
      expect((await get(`${api.url}/me`, bearer(), as())).status).toBe(200);
    });

    it('accepts a token whose cnf.x5t#S256 is the client certificate’s', async () => {
      const answer = await get(`${api.url}/me`, bearer(certificateBoundClaims(alice)), as(alice));
      expect(answer.status).toBe(200);
    });

    it.each<[string, () => TestCertificate | undefined]>([
      ['another certificate', () => bob],
      ['no certificate', () => undefined],
    ])('refuses it with %s: 401 invalid_token, reason token_bound', async (_case, client) => {
      const answer = await get(`${api.url}/me`, bearer(certificateBoundClaims(alice)), as(client()));
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="todo-api", error="invalid_token", /);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_token', reason: 'token_bound' });
    });

    it('announces certificate-bound tokens in the metadata', async () => {
      const answer = await get(`${api.url}/.well-known/oauth-protected-resource`, {}, as());
      expect(JSON.parse(answer.body)).toMatchObject({
        resource: RESOURCE,
        tls_client_certificate_bound_access_tokens: true,
      });
    });
  });

  describe('at start-up', () => {
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        sampleApiConfigFromEnv({ OAUTH_MTLS: 'true', ...env }, DEFAULTS);
      } catch (error) {
        if (error instanceof ResourceServerConfigError) return [...error.problems];
        throw error;
      }
      return [];
    };

    it('accepts the three files', () => {
      expect(problemsOf(files)).toEqual([]);
    });

    it.each(['TLS_CERT', 'TLS_KEY', 'TLS_CA'] as const)('stops with a line naming %s when it is missing', (name) => {
      const { [name]: _missing, ...rest } = files;
      expect(problemsOf(rest)).toEqual([`${name}: required with OAUTH_MTLS=true (path of a PEM file)`]);
    });

    it('stops with a line naming the variable of an unreadable file', () => {
      expect(problemsOf({ ...files, TLS_KEY: join(dir, 'nowhere.key') })).toEqual([
        `TLS_KEY: cannot read ${JSON.stringify(join(dir, 'nowhere.key'))} (ENOENT)`,
      ]);
    });

    it('stops with a line naming the variable of a file that is not the right PEM', () => {
      expect(problemsOf({ ...files, TLS_CA: files.TLS_KEY })).toEqual([
        `TLS_CA: ${JSON.stringify(files.TLS_KEY)} holds no PEM certificate`,
      ]);
    });

    it('does not read the files without OAUTH_MTLS', () => {
      expect(() => sampleApiConfigFromEnv({ TLS_CERT: join(dir, 'nowhere.pem') }, DEFAULTS)).not.toThrow();
    });

    it('stops on an OAUTH_MTLS that is not a flag', () => {
      expect(problemsOf({ ...files, OAUTH_MTLS: 'sometimes' })).toEqual([
        'OAUTH_MTLS: expected true or false, got "sometimes"',
      ]);
    });
  });
});
