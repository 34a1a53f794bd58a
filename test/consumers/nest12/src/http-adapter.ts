import { FastifyAdapter } from '@nestjs/platform-fastify';

/** `HTTP_PLATFORM=fastify` runs the app on Fastify; anything else on Express, Nest's default. */
export function httpAdapter(): FastifyAdapter | undefined {
  return process.env.HTTP_PLATFORM === 'fastify' ? new FastifyAdapter() : undefined;
}
