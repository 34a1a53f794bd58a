import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ResourceServerModule } from 'nest-resource-server';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { LiveGateway } from './live.gateway';
import { ReadinessController } from './readiness.controller';

export const AUDIENCE = 'consumer-api';

@Module({
  imports: [TerminusModule],
  controllers: [AppController, ReadinessController],
  providers: [AppService, LiveGateway],
})
export class AppModule {
  static forIssuer(issuer: string): DynamicModule {
    return { module: AppModule, imports: [ResourceServerModule.forRoot({ issuer, audience: AUDIENCE })] };
  }
}
