import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import type { TestCertificate } from 'nest-resource-server/testing';
import { ProbeController, type Platform } from './probe-app.js';

/** An app listening on 127.0.0.1 (port 0), and the URL it answers on. */
export interface ListeningProbeApp {
  readonly app: INestApplication;
  readonly url: string;
}

/**
 * The probe app over HTTPS with `server`'s certificate, asking for a client certificate of
 * `ca` without requiring one (RFC 8705: `requestCert: true, rejectUnauthorized: false`), or
 * over plain HTTP when `tls` is undefined; listening on a port of its own.
 */
export async function startProbeApp(
  options: ResourceServerOptions,
  platform: Platform,
  tls?: { readonly server: TestCertificate; readonly ca: string },
): Promise<ListeningProbeApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [ResourceServerModule.forRoot(options)],
    controllers: [ProbeController],
  }).compile();
  const https = tls && {
    cert: tls.server.cert,
    key: tls.server.key,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: false,
  };
  const app =
    platform === 'express'
      ? moduleRef.createNestApplication(new ExpressAdapter(), {
          logger: ['error'],
          ...(https ? { httpsOptions: https } : {}),
        })
      : moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(https ? { https } : {}), {
          logger: ['error'],
        });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
}
