import { describe, expect, it, jest } from '@jest/globals';
import { ForbiddenException, Logger, type ArgumentsHost } from '@nestjs/common';
import { BffErrorFilter } from './bff-error.filter.js';
import type { SessionStoreHealth } from './session-store.js';

/** A response that records what the filter wrote. */
function recordingHost() {
  const written: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const response = {
    headersSent: false,
    status(code: number) {
      written.status = code;
      return this;
    },
    setHeader(name: string, value: string) {
      written.headers[name] = value;
      return this;
    },
    json(body: unknown) {
      written.body = body;
      return this;
    },
  };
  const request = { method: 'GET', originalUrl: '/api/todos?secret=x' };
  const host = {
    switchToHttp: () => ({ getResponse: () => response, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  return { host, written };
}

const store = (available: boolean): SessionStoreHealth => ({
  kind: 'redis',
  isAvailable: () => available,
  probe: () => Promise.resolve(available ? { up: true } : { up: false, message: 'down' }),
});

describe('BffErrorFilter', () => {
  describe('catch', () => {
    it('writes an HttpException as Nest would', () => {
      const { host, written } = recordingHost();
      new BffErrorFilter(store(true)).catch(new ForbiddenException({ statusCode: 403, error: 'csrf' }), host);
      expect(written).toMatchObject({ status: 403, body: { statusCode: 403, error: 'csrf' } });
    });

    it('answers 503 session_store_unavailable when the store is down, logging one line without the stack or query', () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const { host, written } = recordingHost();
      new BffErrorFilter(store(false)).catch(new Error("Stream isn't writeable"), host);
      expect(written).toMatchObject({
        status: 503,
        headers: { 'retry-after': '5' },
        body: { statusCode: 503, error: 'session_store_unavailable' },
      });
      expect(error.mock.calls).toEqual([["GET /api/todos failed: Error: Stream isn't writeable"]]);
      error.mockRestore();
    });

    it('answers 500 internal_error, without details, when the store is up', () => {
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const { host, written } = recordingHost();
      new BffErrorFilter(store(true)).catch(new TypeError('x is undefined'), host);
      expect(written).toMatchObject({ status: 500, body: { statusCode: 500, error: 'internal_error' } });
      expect(error).toHaveBeenCalledTimes(1);
      error.mockRestore();
    });
  });
});
