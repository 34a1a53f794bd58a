import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { InvalidRequestError, InvalidTokenError, MissingTokenError } from '../errors/bearer-token.errors.js';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import { GRAPHQL_WS_HANDSHAKE, type GraphqlContextValue } from './graphql.transport.js';
import { graphqlWsAuthentication, type ConnectionGuard, type GraphqlWsContext } from './graphql-ws-authentication.js';
import { attachVerifiedToken, verifiedTokenOfRequest, type RequestWithToken } from './verified-request.js';

const NOW_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

/** A graphql-ws connection on a socket that records how it was closed. */
function connection(connectionParams?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const closes: [number, string][] = [];
  const listeners: (() => void)[] = [];
  const rawHeaders = Object.entries(headers).flat();
  const request = { method: 'GET', url: '/graphql', headers, rawHeaders } as unknown as IncomingMessage;
  const context: GraphqlWsContext = {
    connectionParams,
    extra: {
      request,
      socket: {
        close: (code, reason) => {
          closes.push([code, reason]);
          for (const listener of listeners.splice(0)) listener();
        },
        once: (_event, listener) => listeners.push(listener),
      },
    },
  };
  return { context, closes, disconnect: () => listeners.splice(0).forEach((listener) => listener()) };
}

/** The guard's part: verify the handshake (admitting a token that expires at `exp`), later check the time again. */
function guardAdmitting(exp: number, toleranceSeconds = 0) {
  const seen: GraphqlContextValue[] = [];
  const guard: ConnectionGuard = {
    canActivate(context: ExecutionContext) {
      const value = context.getArgs()[2] as GraphqlContextValue;
      seen.push(value);
      const holder = value.req as RequestWithToken;
      if (value[GRAPHQL_WS_HANDSHAKE]) {
        attachVerifiedToken(holder, { token: 't', claims: { sub: 'alice', exp }, strategy: 'jwt' });
      } else if (Date.now() / 1000 >= exp + toleranceSeconds) {
        throw new InvalidTokenError('token expired', 'token_expired');
      }
      return true;
    },
  };
  return { guard, seen };
}

const refusing = (error: unknown): ConnectionGuard => ({
  canActivate: () => {
    throw error;
  },
});

describe('graphqlWsAuthentication', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW_MS });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('onConnect', () => {
    it("hands the guard the upgrade request with the payload's authorization as one more header, method CONNECT", async () => {
      const { guard, seen } = guardAdmitting(NOW_MS / 1000 + 60);
      const { context } = connection({ authorization: 'Bearer abc' }, { Cookie: 'app.at=x', Origin: 'https://a' });
      expect(await graphqlWsAuthentication(guard).onConnect(context)).toBe(true);
      const handshake = seen[0]![GRAPHQL_WS_HANDSHAKE]!;
      expect(handshake.method).toBe('CONNECT');
      expect(handshake.url).toBe('/graphql');
      expect(handshake.rawHeaders).toEqual([
        'Cookie',
        'app.at=x',
        'Origin',
        'https://a',
        'Authorization',
        'Bearer abc',
      ]);
      expect(handshake.headers.authorization).toBe('Bearer abc');
      expect(seen[0]!.req).toBe(context);
      expect(verifiedTokenOfRequest(context as RequestWithToken)?.claims.sub).toBe('alice');
    });

    it('passes both spellings of authorization on, for the resolver to refuse two tokens', async () => {
      const { guard, seen } = guardAdmitting(NOW_MS / 1000 + 60);
      await graphqlWsAuthentication(guard).onConnect(
        connection({ authorization: 'Bearer a', Authorization: 'Bearer b' }).context,
      );
      expect(seen[0]![GRAPHQL_WS_HANDSHAKE]!.rawHeaders).toEqual([
        'Authorization',
        'Bearer a',
        'Authorization',
        'Bearer b',
      ]);
    });

    it('leaves the upgrade request as it is without a payload token', async () => {
      const { guard, seen } = guardAdmitting(NOW_MS / 1000 + 60);
      await graphqlWsAuthentication(guard).onConnect(connection({}, { Authorization: 'Bearer h' }).context);
      expect(seen[0]![GRAPHQL_WS_HANDSHAKE]!.rawHeaders).toEqual(['Authorization', 'Bearer h']);
    });

    it.each<[string, unknown, number, string]>([
      ['no token', new MissingTokenError(), 4401, 'token_missing'],
      ['an expired token', new InvalidTokenError('token expired', 'token_expired'), 4401, 'token_expired'],
      ['two tokens', new InvalidRequestError('two', 'two_tokens'), 4400, 'two_tokens'],
      ['a cross-site handshake', new CrossSiteRequestError('origin'), 4403, 'csrf_rejected'],
      [
        'an unreachable server',
        new AuthorizationServerUnavailableError('down', 'jwks_unreachable'),
        1013,
        'jwks_unreachable',
      ],
    ])('closes the socket on %s, with its code and reason', async (_case, error, code, reason) => {
      const { context, closes } = connection({});
      expect(await graphqlWsAuthentication(refusing(error)).onConnect(context)).toBe(false);
      expect(closes).toEqual([[code, reason]]);
    });

    it('lets a bug through (graphql-ws closes with 4500)', async () => {
      const { context, closes } = connection({});
      await expect(graphqlWsAuthentication(refusing(new TypeError('bug'))).onConnect(context)).rejects.toThrow('bug');
      expect(closes).toEqual([]);
    });
  });

  describe('expiry', () => {
    it('closes with 4401 token_expired once the guard finds the token expired', async () => {
      const { guard } = guardAdmitting(NOW_MS / 1000 + 10);
      const { context, closes } = connection({ authorization: 'Bearer abc' });
      await graphqlWsAuthentication(guard).onConnect(context);
      await jest.advanceTimersByTimeAsync(9_999);
      expect(closes).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(closes).toEqual([[4401, 'token_expired']]);
    });

    it('checks again each second while the guard still accepts the token (clock tolerance)', async () => {
      const { guard, seen } = guardAdmitting(NOW_MS / 1000 + 10, 2.5);
      const { context, closes } = connection({ authorization: 'Bearer abc' });
      await graphqlWsAuthentication(guard).onConnect(context);
      await jest.advanceTimersByTimeAsync(12_999);
      expect(closes).toEqual([]);
      expect(seen).toHaveLength(4); // the handshake, then at 10 s, 11 s and 12 s
      await jest.advanceTimersByTimeAsync(1);
      expect(closes).toEqual([[4401, 'token_expired']]);
    });

    it('waits past the longest setTimeout delay for a token that lives for weeks', async () => {
      const { guard } = guardAdmitting(NOW_MS / 1000 + 40 * 24 * 3600);
      const { context, closes } = connection({ authorization: 'Bearer abc' });
      await graphqlWsAuthentication(guard).onConnect(context);
      await jest.advanceTimersByTimeAsync(39 * DAY_MS);
      expect(closes).toEqual([]);
      await jest.advanceTimersByTimeAsync(DAY_MS);
      expect(closes).toEqual([[4401, 'token_expired']]);
    });

    it('stops watching when the connection closes', async () => {
      const { guard, seen } = guardAdmitting(NOW_MS / 1000 + 10);
      const { context, closes, disconnect } = connection({ authorization: 'Bearer abc' });
      await graphqlWsAuthentication(guard).onConnect(context);
      disconnect();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(closes).toEqual([]);
      expect(seen).toHaveLength(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
