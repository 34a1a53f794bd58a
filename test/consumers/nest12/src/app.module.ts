import { type DynamicModule, Module } from '@nestjs/common';
import { ResourceServerModule } from 'nest-resource-server';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

export const AUDIENCE = 'consumer-api';

@Module({ controllers: [AppController], providers: [AppService] })
export class AppModule {
  static forIssuer(issuer: string): DynamicModule {
    return { module: AppModule, imports: [ResourceServerModule.forRoot({ issuer, audience: AUDIENCE })] };
  }
}
