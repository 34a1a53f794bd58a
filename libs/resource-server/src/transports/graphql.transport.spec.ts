import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { GRAPHQL_WS_HANDSHAKE, graphqlTransport } from './graphql.transport.js';

const contextWith = (value: unknown) =>
  ({ getArgs: () => [undefined, {}, value, undefined] }) as unknown as ExecutionContext;
const nodeRequest = (url = '/graphql') =>
  ({ method: 'POST', url, headers: {}, rawHeaders: ['Host', 'x'] }) as unknown as IncomingMessage;

describe('graphqlTransport', () => {
  describe('holderOf', () => {
    it("is the context's req: the operation's request, or the graphql-ws connection", () => {
      const req = nodeRequest();
      expect(graphqlTransport.holderOf(contextWith({ req }))).toBe(req);
      const connection = { extra: {}, connectionParams: {} };
      expect(graphqlTransport.holderOf(contextWith({ req: connection }))).toBe(connection);
    });

    it('is undefined without a req object (refused by the guard)', () => {
      expect(graphqlTransport.holderOf(contextWith({}))).toBeUndefined();
      expect(graphqlTransport.holderOf(contextWith({ req: 'x' }))).toBeUndefined();
      expect(graphqlTransport.holderOf(contextWith(undefined))).toBeUndefined();
    });
  });

  describe('requestOf', () => {
    it("is Express's request, with the path Express stripped from url", () => {
      const req = Object.assign(nodeRequest('/'), { originalUrl: '/graphql?x=1' });
      const node = graphqlTransport.requestOf(contextWith({ req }))!;
      expect(node.url).toBe('/graphql?x=1');
      expect(node.rawHeaders).toBe(req.rawHeaders);
    });

    it("is Node's request behind Fastify's", () => {
      const raw = nodeRequest();
      expect(graphqlTransport.requestOf(contextWith({ req: { raw, url: '/graphql' } }))).toBe(raw);
    });

    it('is undefined for a graphql-ws connection: only its connection_init token counts', () => {
      expect(graphqlTransport.requestOf(contextWith({ req: { extra: { request: nodeRequest() } } }))).toBeUndefined();
    });

    it('is the handshake at connection_init', () => {
      const handshake = nodeRequest();
      expect(graphqlTransport.requestOf(contextWith({ req: {}, [GRAPHQL_WS_HANDSHAKE]: handshake }))).toBe(handshake);
    });
  });

  it('reuses a verified token for the rest of the operation', () => {
    expect(graphqlTransport.reusesVerifiedToken).toBe(true);
  });
});
