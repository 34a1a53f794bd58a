import { Args, Field, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { GraphQLScalarType, Kind } from 'graphql';
import { Claim, Claims, RequireScope, type AccessTokenClaims } from 'nest-resource-server';
import { textField } from '../../../shared/src/text-field.js';
import { TodosService } from '../todos.service.js';

/** A to-do item, as `GET /todos` answers it. */
@ObjectType('Todo')
export class TodoModel {
  @Field(() => ID)
  id!: string;
  @Field()
  title!: string;
  @Field()
  done!: boolean;
  @Field()
  createdAt!: string;
}

/** The verified claims, as `GET /me` answers them: a JSON object (output only). */
export const ClaimsScalar = new GraphQLScalarType({
  name: 'Claims',
  description: "The access token's verified claims, as a JSON object",
  serialize: (value) => value,
  parseValue: () => {
    throw new TypeError('Claims is an output type');
  },
  parseLiteral: (ast) => {
    throw new TypeError(`Claims is an output type, got a ${ast.kind === Kind.OBJECT ? 'object' : ast.kind}`);
  },
});

/**
 * `/graphql`: the REST routes' rules on a code-first schema, with the same guard (global) and
 * the same store. A refused field is an error whose `extensions` carry `code` and `reason`.
 */
@Resolver(() => TodoModel)
export class TodosResolver {
  constructor(private readonly store: TodosService) {}

  /** Any valid token: the verified claims. */
  @Query(() => ClaimsScalar)
  me(@Claims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }

  /** Any valid token: the caller's todos. */
  @Query(() => [TodoModel])
  todos(@Claim('sub') sub: string): TodoModel[] {
    return this.store.listFor(sub);
  }

  /** Scope `todo:write`. */
  @RequireScope('todo:write')
  @Mutation(() => TodoModel)
  addTodo(@Claim('sub') sub: string, @Args('title') title: string): TodoModel {
    return this.store.create(sub, textField({ title }, 'title', 200));
  }
}
