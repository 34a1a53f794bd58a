import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

/** What a test sees of an answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** TLS settings of a client: the CA it trusts and, optionally, its own certificate. */
export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/**
 * `GET url` over HTTPS (with `tls`) or plain HTTP, on a connection of its own (no agent), so
 * each request presents exactly the client certificate it is given, or none.
 */
export function get(url: string, headers: Record<string, string>, tls?: ClientTls): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', headers, agent: false as const, ...(tls ?? {}) };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
