import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './read-body.js';

const MAX_BYTES = 16 * 1024;

/**
 * The request's JSON body (at most 16 KiB), read when the handler runs: after the guard has
 * validated the token, so an unauthenticated client never gets its body parsed. (Express's
 * body parser would run as middleware, and Fastify's content-type parsers in its routing,
 * both before any guard; `createSampleApi` turns both off.) Read from Node's request, which
 * Fastify's request wraps as `raw`, so both platforms give the same answers.
 */
export const JsonBody = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<IncomingMessage & { raw?: IncomingMessage }>();
  const response = context.switchToHttp().getResponse<ServerResponse & { raw?: ServerResponse }>();
  return readJson(request.raw ?? request, response.raw ?? response);
});

async function readJson(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type))
    throw new BadRequestException('expected an application/json body');
  const body = await readBody(request, response, { maxBytes: MAX_BYTES });
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestException('body is not valid JSON');
  }
}
