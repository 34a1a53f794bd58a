import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

/** Starts the app on a free loopback port and returns the port. */
export async function listenOnLoopback(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as AddressInfo).port;
}
