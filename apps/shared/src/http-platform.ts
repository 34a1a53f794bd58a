import type { AbstractHttpAdapter } from '@nestjs/core';
import type { Express } from 'express';
import type { FastifyInstance } from 'fastify';
import { createServer } from 'node:net';
import { httpsOptionsFor, type TlsFiles } from './tls-files.js';

/** The Nest platforms a sample API runs on (`HTTP_PLATFORM`); the first is the default. */
export const HTTP_PLATFORMS = ['express', 'fastify'] as const;

/** `express` or `fastify`: every rule of the operator contract holds the same on both. */
export type HttpPlatform = (typeof HTTP_PLATFORMS)[number];

/** The methods a browser page may use, spelled alike for `cors` and `@fastify/cors`. */
const CORS_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

/**
 * The HTTP adapter of a sample API. Each platform is loaded only when chosen. On both, no
 * body is parsed before the handler (see `JsonBody`), and no `X-Powered-By` or `ETag` is sent.
 * Fastify is set to route as Express does: paths in any case, with or without a trailing
 * slash, parameters of any length (the request line's limit applies, as on Express).
 */
export async function httpAdapterFor(platform: HttpPlatform, tls?: TlsFiles): Promise<AbstractHttpAdapter> {
  if (platform === 'express') {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    const adapter = new ExpressAdapter();
    const express = adapter.getInstance() as Express;
    express.disable('x-powered-by');
    // Fastify sends no ETag (so never a 304): the same answers on both
    express.set('etag', false);
    return adapter;
  }
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const adapter = new FastifyAdapter({
    // Express gets its HTTPS options from NestFactory.create(); Fastify from its own constructor
    ...(tls ? { https: httpsOptionsFor(tls) } : {}),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 64 * 1024 },
  });
  const fastify = adapter.getInstance() as FastifyInstance;
  // Fastify parses a body (or answers 400/413/415 for it) before the route's handler, where
  // Nest runs its guards; declared bodyless, no method's body is touched before JsonBody
  // reads it, after the token was validated (a bad body without a token is a 401). A method
  // Nest adds later for a route of its own (SEARCH, ...) would be parsed: these APIs have none
  for (const method of fastify.supportedMethods) {
    fastify.addHttpMethod(method, { hasBody: false, overrideExisting: true });
  }
  return adapter;
}

/**
 * CORS with credentials for `origins`, exposing `WWW-Authenticate` to the page, with the
 * same answers from Express's `cors` and `@fastify/cors` (which, unlike `cors`, would
 * refuse a preflight without `Origin` by default and allow fewer methods).
 */
export function corsOptionsFor(platform: HttpPlatform, origins: readonly string[]): Record<string, unknown> {
  return {
    origin: [...origins],
    credentials: true,
    methods: CORS_METHODS,
    exposedHeaders: ['WWW-Authenticate'],
    maxAge: 600,
    ...(platform === 'fastify' ? { strictPreflight: false } : {}),
  };
}

/**
 * The host to listen on when `HOST` is unset: every interface, IPv6 and IPv4 (`::`), or
 * every IPv4 one on a machine without IPv6, as Node's `listen(port)` chooses. Express gets
 * that from Node; Fastify would listen on `localhost` only, so it is given the host.
 */
export function allInterfaces(): Promise<string> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve('0.0.0.0'));
    probe.listen(0, '::', () => probe.close(() => resolve('::')));
  });
}
