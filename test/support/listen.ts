import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

/** Starts the app on a free port of a loopback address (127.0.0.1 unless `host` says otherwise) and returns the port. */
export async function listenOnLoopback(app: INestApplication, host = '127.0.0.1'): Promise<number> {
  await app.listen(0, host);
  return (app.getHttpServer().address() as AddressInfo).port;
}
