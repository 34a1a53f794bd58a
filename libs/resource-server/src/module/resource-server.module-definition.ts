import { ConfigurableModuleBuilder } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ResourceServerGuard } from '../authorization/resource-server.guard.js';
import type { ResourceServerOptions } from './resource-server-options.js';

/** Options of `forRoot()` / `forRootAsync()` besides the {@link ResourceServerOptions}. */
export interface ResourceServerModuleExtras {
  /**
   * Register `ResourceServerGuard` for every route of the app (secure by default). With
   * `false`, apply it yourself: `@UseGuards(ResourceServerGuard)`. Default: true.
   */
  global: boolean;
}

const GLOBAL_GUARD = { provide: APP_GUARD, useExisting: ResourceServerGuard };

/** @internal */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RESOURCE_SERVER_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ResourceServerOptions>({ moduleName: 'ResourceServer' })
  .setClassMethodName('forRoot')
  .setExtras<ResourceServerModuleExtras>({ global: true }, (definition, extras) => ({
    ...definition,
    global: true, // the guard and its providers are reachable from every module
    providers: [...(definition.providers ?? []), ...(extras.global ? [GLOBAL_GUARD] : [])],
  }))
  .build();
