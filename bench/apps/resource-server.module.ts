import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { Public, ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import { HelloController } from './hello.controller.js';

/** The same route marked `@Public()`: the global guard lets it through without a token. */
@Controller()
export class PublicHelloController {
  @Public()
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

/** Scenarios (b) to (g), Fb and Fc: this library's global guard, as an application imports it. */
@Module({})
export class ResourceServerAppModule {
  static with(options: ResourceServerOptions, isPublic: boolean): DynamicModule {
    return {
      module: ResourceServerAppModule,
      imports: [ResourceServerModule.forRoot(options)],
      controllers: [isPublic ? PublicHelloController : HelloController],
    };
  }
}
