import { BadRequestException, HttpException, HttpStatus, Logger, PayloadTooLargeException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Limits of {@link readBody}. */
export interface BodyLimits {
  /** Largest body accepted, in bytes; a larger one is 413. */
  readonly maxBytes: number;
  /** Longest wait for the next chunk, in milliseconds; a stalled body is 408. Default: 30 000. */
  readonly idleTimeoutMs?: number;
}

const logger = new Logger('RequestBody');

/**
 * Reads a request's whole body, as HTTP exceptions that Nest answers without logging a stack:
 * 413 past `maxBytes` (the rest is read and dropped, so the client, or a proxy in front,
 * receives the 413 instead of a reset connection), 408 when no chunk arrives for
 * `idleTimeoutMs` (`response` then closes the connection), 400 when the client aborts. A stalled or
 * aborted body is logged as one line naming the method and path (never the query, which may
 * hold anything), never with a stack trace: it is the client's doing, not the app's fault.
 */
export function readBody(request: IncomingMessage, response: ServerResponse, limits: BodyLimits): Promise<Buffer> {
  const idleTimeoutMs = limits.idleTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const where = `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0]}`;
    const timer = setTimeout(() => {
      finish();
      logger.warn(`408 ${where}: request body stalled for ${idleTimeoutMs} ms after ${size} bytes`);
      // nobody reads the rest: Node closes the connection once the 408 is written
      if (!response.headersSent) response.setHeader('connection', 'close');
      reject(new HttpException('request body timed out', HttpStatus.REQUEST_TIMEOUT));
    }, idleTimeoutMs);
    const onData = (chunk: Buffer) => {
      timer.refresh();
      size += chunk.length;
      if (size <= limits.maxBytes) {
        chunks.push(chunk);
        return;
      }
      finish();
      // drop the rest, don't destroy: a reset connection would lose the 413 on its way out
      request.resume();
      reject(new PayloadTooLargeException(`body over ${limits.maxBytes} bytes`));
    };
    const onEnd = () => {
      finish();
      resolve(Buffer.concat(chunks));
    };
    const onAbort = (error?: Error) => {
      finish();
      const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'closed';
      logger.warn(`${where}: the client aborted the request body after ${size} bytes (${code})`);
      reject(new BadRequestException('request body aborted'));
    };
    const onClose = () => {
      if (!request.complete) onAbort();
    };
    function finish(): void {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onClose);
    }
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onAbort);
    request.once('close', onClose);
    // the client may have gone before the handler ran: no 'close' is coming then
    if (request.destroyed && !request.complete) onAbort();
  });
}
