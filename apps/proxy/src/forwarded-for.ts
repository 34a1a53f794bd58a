import type { IncomingMessage } from 'node:http';

/** The headers a client may use to claim where a request came from (RFC 7239 and the de facto ones). */
export const FORWARDING_HEADERS: readonly string[] = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
];

/**
 * The forwarding headers the upstream receives. Untrusted (the default): whatever the client
 * claimed is dropped and `X-Forwarded-For` is the peer's address alone, with our own
 * `X-Forwarded-Proto` and `X-Forwarded-Host`, so an API that logs or rate-limits by address
 * cannot be lied to. Trusted (behind a load balancer that sets them): the peer's address is
 * appended to the `X-Forwarded-For` received, and the other headers pass as received.
 */
export function forwardingHeaders(request: IncomingMessage, trusted: boolean): Record<string, string> {
  const peer = request.socket.remoteAddress ?? 'unknown';
  const proto = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const host = request.headers.host;
  if (!trusted) {
    return { 'x-forwarded-for': peer, 'x-forwarded-proto': proto, ...(host ? { 'x-forwarded-host': host } : {}) };
  }
  const received: Record<string, string> = {};
  for (const name of FORWARDING_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) received[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const chain = received['x-forwarded-for'];
  return {
    ...received,
    'x-forwarded-for': chain ? `${chain}, ${peer}` : peer,
    'x-forwarded-proto': received['x-forwarded-proto'] ?? proto,
    ...(host && !received['x-forwarded-host'] ? { 'x-forwarded-host': host } : {}),
  };
}
