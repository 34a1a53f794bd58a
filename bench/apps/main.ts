import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ResourceServerOptions } from 'nest-resource-server';
import { Auth0AppModule } from './auth0.module.js';
import type { BenchAppConfig } from './bench-app-config.js';
import { DocsRecipeAppModule } from './docs-recipe.module.js';
import { HelloController } from './hello.controller.js';
import { MinimalDpopGuardAppModule } from './minimal-dpop-guard.module.js';
import { MinimalGuardAppModule } from './minimal-guard.module.js';
import { ResourceServerAppModule } from './resource-server.module.js';

/** Scenarios (a) and (Fa): the route alone, no guard. */
@Module({ controllers: [HelloController] })
class BareAppModule {}

type AppModule = DynamicModule | typeof BareAppModule;

function moduleFor(config: BenchAppConfig): AppModule {
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
    case 'minimal-dpop-guard':
      return MinimalDpopGuardAppModule.with(config);
    case 'fastify-jwt':
      // its route is the bare one: the plugin registered in createApp() guards it
      return BareAppModule;
  }
}

async function createApp(config: BenchAppConfig, module: AppModule): Promise<INestApplication> {
  const logger = ['error', 'warn'] as const;
  if (config.platform === 'fastify') {
    if (config.kind === 'auth0' || config.kind === 'docs-recipe') {
      throw new Error(`BENCH_APP: ${config.kind} runs on Express only`);
    }
    // loaded only here, so that an Express server holds no Fastify code (as before the Fastify group)
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      bodyParser: false,
      logger: [...logger],
    });
    if (config.kind === 'fastify-jwt') {
      const { registerFastifyJwt } = await import('./fastify-jwt-plugin.js');
      await registerFastifyJwt(app, config);
    }
    return app;
  }
  if (config.kind === 'fastify-jwt') throw new Error('BENCH_APP: fastify-jwt runs on Fastify only');
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, logger: [...logger] });
  app.disable('x-powered-by');
  return app;
}

// one bench server: the app named by BENCH_APP on a free loopback port, announced on stdout
// with its platform, so that the runner can tell a baseline build that only knows Express
const config = JSON.parse(process.env.BENCH_APP ?? '{"kind":"bare"}') as BenchAppConfig;
const app = await createApp({ ...config, platform: config.platform ?? 'express' }, moduleFor(config));
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log(`READY ${(app.getHttpServer().address() as AddressInfo).port} ${config.platform ?? 'express'}`);
