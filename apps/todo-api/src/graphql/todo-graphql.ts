import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { GRAPHQL_PATH } from './graphql-request-body.js';

/**
 * `/graphql` with Apollo on either platform: a code-first schema built in memory, no GraphiQL
 * page, and the guard and its filter on field resolvers too (`fieldResolverEnhancers`), so a
 * rule on a `@ResolveField` is never skipped.
 */
export const TodoGraphqlModule = GraphQLModule.forRoot<ApolloDriverConfig>({
  driver: ApolloDriver,
  path: GRAPHQL_PATH,
  autoSchemaFile: true,
  sortSchema: true,
  graphiql: false,
  fieldResolverEnhancers: ['guards', 'filters'],
});
