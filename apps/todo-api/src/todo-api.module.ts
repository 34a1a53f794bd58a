import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ResourceServerModule, type ResourceServerOptions } from 'nest-resource-server';
import { HealthController } from '../../shared/src/health.controller.js';
import { ReadinessController } from '../../shared/src/readiness.controller.js';
import { LiveGateway } from './live.gateway.js';
import { GraphqlRequestBody } from './graphql/graphql-request-body.js';
import { TodoGraphqlModule } from './graphql/todo-graphql.js';
import { TodosResolver } from './graphql/todos.resolver.js';
import { TodosController } from './todos.controller.js';
import { TodosService } from './todos.service.js';

/** todo-api: a resource server for audience `todo-api`. */
@Module({})
export class TodoApiModule {
  static forRoot(options: ResourceServerOptions): DynamicModule {
    return {
      module: TodoApiModule,
      imports: [ResourceServerModule.forRoot(options), TerminusModule, TodoGraphqlModule],
      controllers: [HealthController, ReadinessController, TodosController],
      providers: [TodosService, LiveGateway, TodosResolver, GraphqlRequestBody],
    };
  }
}
