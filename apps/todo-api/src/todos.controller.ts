import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import {
  Claim,
  Claims,
  RequireAuthentication,
  RequireRole,
  RequireScope,
  type AccessTokenClaims,
} from 'nest-resource-server';
import { JsonBody } from '../../shared/src/json-body.decorator.js';
import { textField } from '../../shared/src/text-field.js';
import { TodosService, type Todo } from './todos.service.js';

/** Every route needs a valid token (the global guard); some need more. */
@Controller()
export class TodosController {
  constructor(private readonly todos: TodosService) {}

  /** Any valid token: the verified claims. */
  @Get('me')
  me(@Claims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }

  /** Any valid token: the caller's todos. */
  @Get('todos')
  list(@Claim('sub') sub: string): Todo[] {
    return this.todos.listFor(sub);
  }

  /** Scope `todo:write`. */
  @RequireScope('todo:write')
  @Post('todos')
  create(@Claim('sub') sub: string, @JsonBody() body: unknown): Todo {
    return this.todos.create(sub, textField(body, 'title', 200));
  }

  /**
   * Scope `todo:write` and a step-up (RFC 9470): `acr` `mfa`, authenticated at most 300 s ago.
   * Deletes all of the caller's todos. `todos/:id` needs an id segment, so the two routes
   * never overlap, whatever their order.
   */
  @RequireScope('todo:write')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Delete('todos')
  @HttpCode(204)
  removeAll(@Claim('sub') sub: string): void {
    this.todos.deleteAllOf(sub);
  }

  /** Role `admin`: deletes any todo; 404 for an unknown id. */
  @RequireRole('admin')
  @Delete('todos/:id')
  @HttpCode(204)
  remove(@Param('id') id: string): void {
    if (!this.todos.delete(id)) throw new NotFoundException(`no todo ${id}`);
  }
}
