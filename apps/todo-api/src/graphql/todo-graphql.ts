import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { GRAPHQL_PATH } from './graphql-request-body.js';

/**
 * `/graphql` with Apollo on either platform: a code-first schema built in memory, no GraphiQL
 * page, no stack traces to clients, and the guard and its filter on field resolvers too
 * (`fieldResolverEnhancers`), so a rule on a `@ResolveField` is never skipped.
 */
export const TodoGraphqlModule = GraphQLModule.forRoot<ApolloDriverConfig>({
  driver: ApolloDriver,
  path: GRAPHQL_PATH,
  autoSchemaFile: true,
  sortSchema: true,
  graphiql: false,
  // Apollo shows every error's stack outside NODE_ENV=production; a template must not
  includeStacktraceInErrorResponses: false,
  fieldResolverEnhancers: ['guards', 'filters'],
});
