import { Body, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiClient } from './api-client.js';
import { API_CLIENT, BFF_CONFIG } from './bff.tokens.js';
import type { BffConfig } from './bff-config.js';

/** The page's API: each route calls todo-api or help-api with the session's token. */
@Controller('api')
export class ApiController {
  constructor(
    @Inject(API_CLIENT) private readonly api: ApiClient,
    @Inject(BFF_CONFIG) private readonly config: BffConfig,
  ) {}

  @Get('todos')
  todos(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.relay(request, response, `${this.config.todoApiUrl}/todos`, 'GET');
  }

  @Post('todos')
  addTodo(@Req() request: Request, @Res() response: Response, @Body() body: unknown): Promise<void> {
    return this.relay(request, response, `${this.config.todoApiUrl}/todos`, 'POST', body ?? {});
  }

  @Delete('todos/:id')
  deleteTodo(@Req() request: Request, @Res() response: Response, @Param('id') id: string): Promise<void> {
    return this.relay(request, response, `${this.config.todoApiUrl}/todos/${encodeURIComponent(id)}`, 'DELETE');
  }

  @Get('tickets')
  tickets(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.relay(request, response, `${this.config.helpApiUrl}/tickets`, 'GET');
  }

  private async relay(
    request: Request,
    response: Response,
    url: string,
    method: string,
    body?: unknown,
  ): Promise<void> {
    const answer = await this.api.call(request, url, { method, body });
    if (answer.body === null) response.status(answer.status).end();
    else response.status(answer.status).json(answer.body);
  }
}
