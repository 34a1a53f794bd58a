import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ResourceServerOptions } from 'nest-resource-server';
import { Auth0AppModule } from './auth0.module.js';
import type { BenchAppConfig } from './bench-app-config.js';
import { DocsRecipeAppModule } from './docs-recipe.module.js';
import { HelloController } from './hello.controller.js';
import { MinimalGuardAppModule } from './minimal-guard.module.js';
import { ResourceServerAppModule } from './resource-server.module.js';

/** Scenario (a): the route alone, no guard. */
@Module({ controllers: [HelloController] })
class BareAppModule {}

function moduleFor(config: BenchAppConfig): DynamicModule | typeof BareAppModule {
  switch (config.kind) {
    case 'bare':
      return BareAppModule;
    case 'resource-server':
      return ResourceServerAppModule.with(config.options as unknown as ResourceServerOptions, config.public);
    case 'docs-recipe':
      return DocsRecipeAppModule.with(config);
    case 'auth0':
      return Auth0AppModule.with(config);
    case 'minimal-guard':
      return MinimalGuardAppModule.with(config);
  }
}

// one bench server: the app named by BENCH_APP on a free loopback port, announced on stdout
const config = JSON.parse(process.env.BENCH_APP ?? '{"kind":"bare"}') as BenchAppConfig;
const app = await NestFactory.create<NestExpressApplication>(moduleFor(config), {
  bodyParser: false,
  logger: ['error', 'warn'],
});
app.disable('x-powered-by');
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(`READY ${(app.getHttpServer().address() as AddressInfo).port}`);
