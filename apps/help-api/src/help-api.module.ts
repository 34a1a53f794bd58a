import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import { HealthController } from '../../shared/src/health.controller.js';
import { ReadinessController } from '../../shared/src/readiness.controller.js';
import { HelpController } from './help.controller.js';
import { TicketsService } from './tickets.service.js';

/** help-api: a resource server for audience `help-api`. */
@Module({})
export class HelpApiModule {
  static forRoot(options: ResourceServerOptions): DynamicModule {
    return {
      module: HelpApiModule,
      imports: [ResourceServerModule.forRoot(options), TerminusModule],
      controllers: [HealthController, ReadinessController, HelpController],
      providers: [TicketsService],
    };
  }
}
