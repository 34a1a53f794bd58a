import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction } from 'express';
import type { FastifyInstance } from 'fastify';
import { readBody } from '../../../shared/src/read-body.js';

/** Where the GraphQL endpoint is served. */
export const GRAPHQL_PATH = '/graphql';

// a GraphQL document with its variables; larger than a REST body, still bounded
const MAX_BYTES = 64 * 1024;

/**
 * Reads the JSON body of `POST /graphql` for the GraphQL server. The sample APIs parse no body
 * before the guard (see `JsonBody`); GraphQL cannot wait for it, since the guard runs per
 * field of the parsed operation, so this body is read first, bounded (64 KiB, 413 beyond) as
 * the REST bodies are. Installed on the platform when the app is created: before Apollo's own
 * handler on Express, as a route hook on Fastify (whose methods are declared bodyless).
 */
@Injectable()
export class GraphqlRequestBody {
  constructor(adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    if (adapter.getType() === 'fastify') {
      const fastify = adapter.getInstance<FastifyInstance>();
      fastify.addHook('preValidation', async (request, reply) => {
        if (request.method !== 'POST' || request.routeOptions.url !== GRAPHQL_PATH) return;
        const body = await readJson(request.raw, reply.raw);
        if (body instanceof HttpException) return reply.code(body.getStatus()).send(body.getResponse());
        request.body = body;
      });
      return;
    }
    adapter.use(GRAPHQL_PATH, (req: IncomingMessage & { body?: unknown }, res: ServerResponse, next: NextFunction) => {
      if (req.method !== 'POST') return next();
      void readJson(req, res).then((body) => {
        if (!(body instanceof HttpException)) {
          req.body = body;
          return next();
        }
        res.statusCode = body.getStatus();
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(body.getResponse()));
      });
    });
  }
}

/** The body as JSON; undefined when it is not JSON (the GraphQL server answers 400); an HttpException (400, 408, 413) to answer. */
async function readJson(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return undefined;
  try {
    const text = (await readBody(request, response, { maxBytes: MAX_BYTES })).toString('utf8');
    return text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    if (error instanceof HttpException) return error;
    return new HttpException({ statusCode: 400, message: 'body is not valid JSON' }, 400);
  }
}
