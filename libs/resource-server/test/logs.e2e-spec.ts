import { createSecretKey } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, type INestApplication, type ModuleMetadata, type NestApplicationOptions } from '@nestjs/common';
import { Logger as PinoLogger, LoggerModule } from 'nestjs-pino';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ResourceServerModule } from 'nest-resource-server';
import { signJws, TestIssuer } from 'nest-resource-server/testing';
import { resourceServerLogLines } from './support/log-lines.js';
import { PLATFORMS, ProbeController } from './support/probe-app.js';

// One log line per rejection: with Nest's JSON logger, one JSON object carrying the event's
// fields; in text, one line. And no fragment of any token presented ever reaches a log.

const now = () => Math.floor(Date.now() / 1000);

// nestjs-pino keeps its first root logger for the whole process (a static): one stream for
// the apps of both platforms
const written: string[] = [];
const stream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    written.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

/** The README's redact paths for nestjs-pino (Events and metrics, Logs). */
const PINO_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
];

/** The logging of a block's apps: modules to import, app options, and a step before init. */
interface Logging {
  readonly imports?: NonNullable<ModuleMetadata['imports']>;
  readonly options?: NestApplicationOptions;
  readonly configure?: (app: INestApplication) => void;
}

/**
 * A block's two probe apps with `logging`: one whose issuer answers (its keys fetched, and
 * their log lines written, before any test looks) and one whose issuer is down.
 */
function useProbeApps(platform: string, logging: Logging) {
  const apps = {} as { issuer: TestIssuer; downIssuer: TestIssuer; app: INestApplication; downApp: INestApplication };
  async function appFor(issuerUrl: string): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [...(logging.imports ?? []), ResourceServerModule.forRoot({ issuer: issuerUrl, audience: 'api' })],
      controllers: [ProbeController],
    }).compile();
    const created =
      platform === 'express'
        ? moduleRef.createNestApplication(logging.options)
        : moduleRef.createNestApplication(new FastifyAdapter(), logging.options);
    logging.configure?.(created);
    await created.init();
    if (platform === 'fastify') await created.getHttpAdapter().getInstance().ready();
    return created;
  }
  beforeAll(async () => {
    apps.issuer = await TestIssuer.start({ audience: 'api' });
    apps.downIssuer = await TestIssuer.start({ audience: 'api' });
    apps.app = await appFor(apps.issuer.url);
    apps.downApp = await appFor(apps.downIssuer.url);
    await apps.downIssuer.goDown('refuse');
    await request(apps.app.getHttpServer())
      .get('/claims')
      .set('Authorization', `Bearer ${apps.issuer.token()}`)
      .expect(200);
  });
  afterAll(async () => {
    await apps.app.close();
    await apps.downApp.close();
    await apps.issuer.close();
    await apps.downIssuer.close();
  });
  return apps;
}

describe.each(PLATFORMS)('rejection logs on %s', (platform) => {
  describe.each([true, false])('ConsoleLogger json: %s', (json) => {
    const s = useProbeApps(platform, { options: { logger: new ConsoleLogger({ json, colors: false }) } });
    const logsOf = async (send: () => Promise<unknown>) =>
      (await resourceServerLogLines(send)).filter((line) => line.includes('/claims'));

    const tokens = () => ({
      expired: s.issuer.token({ claims: { exp: now() - 120 } }),
      forged: `${s.issuer.token().slice(0, -8)}AAAAAAAA`,
      idToken: s.issuer.token({ claims: { nonce: 'n-123', at_hash: 'abcdefgh' } }),
      otherIssuer: signJws(
        { alg: 'HS256', kid: 'k' },
        { iss: s.issuer.url, aud: 'api', exp: now() + 60 },
        createSecretKey(Buffer.from('secret-secret-secret-secret-1234')),
      ),
      opaque: 'opaque-token-value-1234567890',
    });

    it.each(['expired', 'forged', 'idToken', 'otherIssuer', 'opaque'] as const)(
      'logs a %s token as one line with its reason, without any part of the token',
      async (kind) => {
        const token = tokens()[kind];
        let body: { reason: string } = { reason: '' };
        const lines = await logsOf(async () => {
          const response = await request(s.app.getHttpServer())
            .get('/claims?q=1')
            .set('Authorization', `Bearer ${token}`);
          expect(response.status).toBe(401);
          body = response.body as { reason: string };
        });
        expect(lines).toHaveLength(1);
        const line = lines[0]!;
        for (const part of token.split('.').filter((p) => p.length >= 8)) expect(line).not.toContain(part);
        if (json) {
          // Nest keeps structured fields under `params` (at the top with `flattenParams: true`)
          const record = JSON.parse(line) as { level: string; context: string; params?: object };
          expect(record).toMatchObject({ level: 'log', context: 'ResourceServer' });
          expect(record.params ?? record).toMatchObject({
            outcome: 'rejected',
            status: 401,
            reason: body.reason,
            method: 'GET',
            path: '/claims',
          });
        } else {
          expect(line).toContain(`401 ${body.reason} GET /claims`);
        }
      },
    );

    it('logs a token in the cookie, and two tokens, without either', async () => {
      const { expired, forged } = tokens();
      const lines = await logsOf(async () => {
        await request(s.app.getHttpServer()).get('/claims').set('Cookie', `app.at=${expired}`).expect(401);
        await request(s.app.getHttpServer())
          .get('/claims')
          .set('Authorization', `Bearer ${forged}`)
          .set('Cookie', `app.at=${expired}`)
          .expect(400);
      });
      expect(lines).toHaveLength(2);
      for (const token of [expired, forged]) {
        for (const part of token.split('.')) expect(lines.join('\n')).not.toContain(part);
      }
    });

    it('logs an unreachable authorization server as one warning, without the token', async () => {
      const token = s.issuer.token();
      const lines = await logsOf(async () => {
        await request(s.downApp.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(503);
      });
      const answered = lines.filter((line) => line.includes('503'));
      expect(answered).toHaveLength(1);
      for (const part of token.split('.')) expect(lines.join('\n')).not.toContain(part);
      expect(lines.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
      if (json) {
        const record = JSON.parse(answered[0]!) as { level: string; params?: object };
        expect(record.level).toBe('warn');
        expect(record.params ?? record).toMatchObject({ outcome: 'unavailable', status: 503 });
      }
    });
  });

  describe('nestjs-pino', () => {
    const s = useProbeApps(platform, {
      // pino-http puts the request, headers included, on every line written while it is
      // served (its own "request completed" and ours): the README's redact paths
      imports: [LoggerModule.forRoot({ pinoHttp: [{ redact: PINO_REDACT_PATHS }, stream] })],
      options: { bufferLogs: true },
      configure: (app) => app.useLogger(app.get(PinoLogger)),
    });

    async function recordsOf(send: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
      written.length = 0;
      await send();
      return written
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => record.context === 'ResourceServer' && String(record.msg).includes('/claims'));
    }

    it.each(['expired', 'forged', 'idToken', 'opaque'] as const)(
      'writes a %s token as one JSON line whose fields are the event’s, without any part of the token',
      async (kind) => {
        const token = {
          expired: () => s.issuer.token({ claims: { exp: now() - 120 } }),
          forged: () => `${s.issuer.token().slice(0, -8)}AAAAAAAA`,
          idToken: () => s.issuer.token({ claims: { nonce: 'n-123', at_hash: 'abcdefgh' } }),
          opaque: () => 'opaque-token-value-1234567890',
        }[kind]();
        let reason = '';
        const records = await recordsOf(async () => {
          const response = await request(s.app.getHttpServer())
            .get('/claims?q=1')
            .set('Authorization', `Bearer ${token}`)
            .set('Cookie', `other=1`)
            .expect(401);
          reason = (response.body as { reason: string }).reason;
        });
        if (platform === 'express') {
          // the request's id, to correlate (nestjs-pino's middleware binds no request on Fastify here)
          expect(records[0]).toMatchObject({ req: { id: expect.anything() } });
        }
        expect(records).toEqual([
          expect.objectContaining({
            level: 30,
            msg: `401 ${reason} GET /claims`,
            outcome: 'rejected',
            status: 401,
            reason,
            method: 'GET',
            path: '/claims',
          }),
        ]);
        for (const part of token.split('.').filter((p) => p.length >= 8)) {
          expect(written.join('\n')).not.toContain(part);
        }
      },
    );

    it('writes an unreachable authorization server as one warning with its fields, no stack, no token', async () => {
      const token = s.issuer.token();
      const records = await recordsOf(async () => {
        await request(s.downApp.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(503);
      });
      expect(records).toEqual([expect.objectContaining({ level: 40, outcome: 'unavailable', status: 503 })]);
      for (const part of token.split('.')) expect(written.join('\n')).not.toContain(part);
      // ours carries no stack (pino-http's own "request errored" line for a 5xx has one)
      expect(JSON.stringify(records)).not.toContain('    at ');
    });
  });
});
