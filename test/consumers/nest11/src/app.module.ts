import { type DynamicModule, Module } from '@nestjs/common';
import { ResourceServerModule } from 'nest-resource-server';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { LiveGateway } from './live.gateway';

export const AUDIENCE = 'consumer-api';

@Module({ controllers: [AppController], providers: [AppService, LiveGateway] })
export class AppModule {
  static forIssuer(issuer: string): DynamicModule {
    return { module: AppModule, imports: [ResourceServerModule.forRoot({ issuer, audience: AUDIENCE })] };
  }
}
