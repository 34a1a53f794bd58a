import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { httpAdapter } from './http-adapter.js';

const appModule = AppModule.forIssuer(process.env.OAUTH_ISSUER ?? 'http://127.0.0.1:9');
const adapter = httpAdapter();
const app = adapter
  ? await NestFactory.create(appModule, adapter, { logger: ['error', 'warn'] })
  : await NestFactory.create(appModule, { logger: ['error', 'warn'] });
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
console.log(`listening on ${await app.getUrl()}`);
