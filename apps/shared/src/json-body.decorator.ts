import {
  BadRequestException,
  createParamDecorator,
  PayloadTooLargeException,
  type ExecutionContext,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

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
  return readJson(request.raw ?? request);
});

async function readJson(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type))
    throw new BadRequestException('expected an application/json body');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) throw new PayloadTooLargeException(`body over ${MAX_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequestException('body is not valid JSON');
  }
}
