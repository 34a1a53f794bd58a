import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLModule,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  AccessToken,
  Claim,
  Claims,
  Public,
  RequireAudience,
  RequireAuthentication,
  RequireClaim,
  RequireRole,
  RequireScope,
  ResourceServerGuard,
  ResourceServerModule,
  graphqlWsAuthentication,
  type AccessTokenClaims,
  type ResourceServerModuleExtras,
  type ResourceServerOptions,
} from 'nest-resource-server';

@ObjectType()
export class Profile {
  @Field()
  sub!: string;
  @Field()
  tokenLength!: number;
  @Field()
  scope!: string;
}

/** Every decorator on queries, a mutation, a field resolver and a subscription. */
@Resolver(() => Profile)
export class ProbeResolver {
  @Query(() => Profile, { nullable: true })
  me(@Claims() claims: AccessTokenClaims, @Claim('sub') sub: string, @AccessToken() token: string): Profile {
    return { sub, tokenLength: token.length, scope: String(claims.scope ?? '') };
  }

  @Public()
  @Query(() => String)
  hello(@Claims() claims: AccessTokenClaims | undefined): string {
    return claims ? `hello ${claims.sub}` : 'hello stranger';
  }

  @RequireScope('p:write')
  @Mutation(() => String)
  write(@Args('text') text: string, @Claim('sub') sub: string): string {
    return `${sub} wrote ${text}`;
  }

  @RequireRole('admin')
  @Query(() => String)
  admin(): string {
    return 'admin';
  }

  @RequireClaim('tenant', 'acme')
  @Query(() => String)
  tenant(): string {
    return 'acme';
  }

  @RequireAudience('api-b')
  @Query(() => String)
  audienceB(): string {
    return 'b';
  }

  @RequireAuthentication({ acr: ['mfa'] })
  @Query(() => String)
  stepUp(): string {
    return 'stepped up';
  }

  /** A field resolver with a rule of its own, on an object whose query has none. */
  @RequireScope('p:secret')
  @ResolveField(() => String, { nullable: true })
  secret(@Parent() profile: Profile, @Claim('sub') sub: string): string {
    return `secret of ${profile.sub} for ${sub}`;
  }

  @RequireScope('p:read')
  @Subscription(() => String)
  ticks(@Claim('sub') sub: string): AsyncIterator<{ ticks: string }> {
    return ticksFor(sub);
  }
}

/** One tick at once, then nothing until the client or the server ends it. */
async function* ticksFor(sub: string): AsyncGenerator<{ ticks: string }> {
  yield { ticks: `tick for ${sub}` };
  await new Promise(() => {});
}

/** The GraphQL servers the library supports: Apollo on both platforms, Mercurius on Fastify. */
export const GRAPHQL_SETUPS = ['express/apollo', 'fastify/apollo', 'fastify/mercurius'] as const;
export type GraphqlSetup = (typeof GRAPHQL_SETUPS)[number];

/**
 * A listening app (port 0) with the module, `/graphql` and the probe resolver; `url` is its base.
 * Apollo serves graphql-ws subscriptions, checked by `graphqlWsAuthentication()` unless `graphqlWs` is false.
 */
export async function createGraphqlProbeApp(
  options: ResourceServerOptions & Partial<ResourceServerModuleExtras>,
  setup: GraphqlSetup,
  { graphqlWs = true }: { readonly graphqlWs?: boolean } = {},
): Promise<{ app: INestApplication; url: string }> {
  const graphql =
    setup === 'fastify/mercurius'
      ? await mercuriusModule()
      : GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [ResourceServerGuard],
          useFactory: (guard: ResourceServerGuard) => ({
            autoSchemaFile: true,
            graphiql: false,
            // as outside production (Jest's NODE_ENV=test turns it off): errors show their stack
            includeStacktraceInErrorResponses: true,
            fieldResolverEnhancers: ['guards', 'filters'],
            // graphql-ws without the library's connection check: a protected subscription must still be refused
            subscriptions: { 'graphql-ws': graphqlWs ? graphqlWsAuthentication(guard) : {} },
          }),
        });
  const moduleRef = await Test.createTestingModule({
    imports: [ResourceServerModule.forRoot(options), graphql],
    providers: [ProbeResolver],
  }).compile();
  const app = setup.startsWith('fastify')
    ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: ['error'] })
    : moduleRef.createNestApplication({ logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

/**
 * Mercurius, loaded only when asked for. Jest cannot `require()` an ES module, and Mercurius's
 * `@fastify/static` (its GraphiQL assets) requires content-disposition 3, one: no spec serves a
 * file, so a stand-in takes its place.
 */
async function mercuriusModule(): Promise<DynamicModule> {
  const require = createRequire(import.meta.url);
  const contentDisposition = require.resolve('content-disposition', { paths: [require.resolve('@fastify/static')] });
  jest.doMock(contentDisposition, () => ({ create: () => 'attachment' }));
  const { MercuriusDriver } = await import('@nestjs/mercurius');
  return GraphQLModule.forRoot<MercuriusDriverConfig>({
    driver: MercuriusDriver,
    autoSchemaFile: true,
    fieldResolverEnhancers: ['guards', 'filters'],
    subscription: true, // its own WebSocket server, which graphqlWsAuthentication() does not cover
  });
}
