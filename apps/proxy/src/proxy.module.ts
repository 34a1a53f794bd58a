import { Module, type DynamicModule } from '@nestjs/common';
import { ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import { HealthController } from '../../shared/src/health.controller.js';
import { FORWARDER } from './forwarder.token.js';
import { createForwarder, type ForwardingOptions } from './forwarding-proxy.js';
import { ProxyController } from './proxy.controller.js';

/** proxy: validates the token like any resource server, then forwards to another site. */
@Module({})
export class ProxyModule {
  static forRoot(options: ResourceServerOptions, forwarding: ForwardingOptions): DynamicModule {
    return {
      module: ProxyModule,
      imports: [ResourceServerModule.forRoot(options)],
      controllers: [HealthController, ProxyController],
      providers: [{ provide: FORWARDER, useValue: createForwarder(forwarding) }],
    };
  }
}
