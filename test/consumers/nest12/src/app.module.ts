import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ResourceServerModule } from 'nest-resource-server';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { ReadinessController } from './readiness.controller.js';

export const AUDIENCE = 'consumer-api';

@Module({ imports: [TerminusModule], controllers: [AppController, ReadinessController], providers: [AppService] })
export class AppModule {
  static forIssuer(issuer: string): DynamicModule {
    return { module: AppModule, imports: [ResourceServerModule.forRoot({ issuer, audience: AUDIENCE })] };
  }
}
