import type { IncomingMessage, ServerResponse } from 'node:http';
import { json } from 'express';

/** What the page's JSON bodies may be. */
export interface JsonBodyPolicy {
  /** Largest accepted body, in bytes; a larger one is 413 before it is read. */
  readonly limitBytes: number;
  /** Deepest accepted nesting of arrays and objects; deeper is 400 before `JSON.parse` sees it. */
  readonly maxDepth: number;
}

/** The BFF's page sends `{ "title": "…" }`: 16 KiB and 32 levels are generous. */
export const JSON_BODY_POLICY: JsonBodyPolicy = { limitBytes: 16 * 1024, maxDepth: 32 };

/**
 * Nesting depth of the JSON text in `bytes` (brackets inside strings don't count), stopping as
 * soon as it passes `max`: a loop, so a 40 000-level body costs one pass and no stack.
 */
export function exceedsJsonDepth(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
}

/**
 * Reads a JSON body (body-parser, as Nest would) within {@link JsonBodyPolicy}: too large is
 * 413, too deep or malformed is 400, each a short JSON answer; a parser error never reaches
 * Express's default handler (which would print its stack).
 */
export function jsonBody(policy: JsonBodyPolicy = JSON_BODY_POLICY) {
  const parse = json({
    limit: policy.limitBytes,
    verify: (_request, _response, buffer) => {
      if (exceedsJsonDepth(buffer, policy.maxDepth)) throw new BodyTooDeepError('body nested too deeply');
    },
  });
  return (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    parse(request as never, response as never, (error?: unknown) => {
      if (!error) return next();
      if (response.headersSent) return;
      const { status, type } = error as { status?: number; type?: string };
      const tooLarge = status === 413;
      response.statusCode = tooLarge ? 413 : 400;
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.setHeader('connection', 'close');
      const message = tooLarge
        ? `body larger than ${policy.limitBytes} bytes`
        : type === 'entity.too.deep'
          ? `body nested deeper than ${policy.maxDepth} levels`
          : 'body is not valid JSON';
      response.end(
        JSON.stringify({
          statusCode: response.statusCode,
          error: tooLarge ? 'payload_too_large' : 'bad_request',
          message,
        }),
      );
    });
  };
}
