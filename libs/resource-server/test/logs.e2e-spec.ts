import { createSecretKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ConsoleLogger, type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ResourceServerModule } from 'nest-resource-server';
import { signJws, TestIssuer } from 'nest-resource-server/testing';
import { PLATFORMS, ProbeController } from './support/probe-app.js';

// One log line per rejection: with Nest's JSON logger, one JSON object carrying the event's
// fields; in text, one line. And no fragment of any token presented ever reaches a log.

const now = () => Math.floor(Date.now() / 1000);

describe.each(PLATFORMS)('rejection logs on %s', (platform) => {
  describe.each([true, false])('ConsoleLogger json: %s', (json) => {
    let issuer: TestIssuer;
    let downIssuer: TestIssuer;
    let app: INestApplication;
    let downApp: INestApplication;
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };

    async function appFor(issuerUrl: string): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [ResourceServerModule.forRoot({ issuer: issuerUrl, audience: 'api' })],
        controllers: [ProbeController],
      }).compile();
      const logger = new ConsoleLogger({ json, colors: false });
      const created =
        platform === 'express'
          ? moduleRef.createNestApplication({ logger })
          : moduleRef.createNestApplication(new FastifyAdapter(), { logger });
      await created.init();
      if (platform === 'fastify') await created.getHttpAdapter().getInstance().ready();
      return created;
    }

    beforeAll(async () => {
      issuer = await TestIssuer.start({ audience: 'api' });
      downIssuer = await TestIssuer.start({ audience: 'api' });
      app = await appFor(issuer.url);
      downApp = await appFor(downIssuer.url);
      await downIssuer.goDown('refuse');
      // the key stores' first fetch, and its log lines, before any test looks
      await request(app.getHttpServer()).get('/claims').set('Authorization', `Bearer ${issuer.token()}`).expect(200);
    });
    afterAll(async () => {
      await app.close();
      await downApp.close();
      await issuer.close();
      await downIssuer.close();
    });

    async function logsOf(send: () => Promise<unknown>): Promise<string[]> {
      written.length = 0;
      const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
      const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
      try {
        await send();
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
      return written
        .join('')
        .split('\n')
        .filter((line) => line.includes('ResourceServer') && line.includes('/claims'));
    }

    const tokens = () => ({
      expired: issuer.token({ claims: { exp: now() - 120 } }),
      forged: `${issuer.token().slice(0, -8)}AAAAAAAA`,
      idToken: issuer.token({ claims: { nonce: 'n-123', at_hash: 'abcdefgh' } }),
      otherIssuer: signJws(
        { alg: 'HS256', kid: 'k' },
        { iss: issuer.url, aud: 'api', exp: now() + 60 },
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
          const response = await request(app.getHttpServer())
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
        await request(app.getHttpServer()).get('/claims').set('Cookie', `app.at=${expired}`).expect(401);
        await request(app.getHttpServer())
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
      const token = issuer.token();
      const lines = await logsOf(async () => {
        await request(downApp.getHttpServer()).get('/claims').set('Authorization', `Bearer ${token}`).expect(503);
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
});
