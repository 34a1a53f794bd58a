import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';

/** Limits of one call to the authorization server. */
export interface FetchJsonOptions {
  /** The whole call, connect to last byte. */
  readonly timeoutMs: number;
  /** Largest body read; a larger one is garbage. Default: 1 MiB. */
  readonly maxBytes?: number;
  readonly init?: RequestInit;
  /** Names the call in errors and logs, such as `jwks`. */
  readonly what: string;
}

/**
 * GETs (or sends `init`) and parses a JSON body, within a time and size limit. Every
 * failure, refused, timed out, non-2xx, too large or not JSON, is an
 * `AuthorizationServerUnavailableError`: the authorization server's fault, not the token's.
 * @internal
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  const { what, timeoutMs, maxBytes = 1024 * 1024 } = options;
  let response: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    response = await fetch(url, { ...options.init, signal, redirect: 'error' });
  } catch (cause) {
    throw new AuthorizationServerUnavailableError(`${what}: ${describe(cause)}`, `${what}_unreachable`, { cause });
  }
  try {
    if (!response.ok) {
      throw new AuthorizationServerUnavailableError(
        `${what}: HTTP ${response.status}`,
        `${what}_http_${response.status}`,
      );
    }
    const text = await readLimited(response, maxBytes, what);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new AuthorizationServerUnavailableError(`${what}: body is not JSON`, `${what}_garbage`, { cause });
    }
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    if (error instanceof AuthorizationServerUnavailableError) throw error;
    throw new AuthorizationServerUnavailableError(`${what}: ${describe(error)}`, `${what}_unreachable`, {
      cause: error,
    });
  }
}

async function readLimited(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    throw new AuthorizationServerUnavailableError(`${what}: body over ${maxBytes} bytes`, `${what}_too_large`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new AuthorizationServerUnavailableError(`${what}: body over ${maxBytes} bytes`, `${what}_too_large`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}
