import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1; RFC 2616 §13.5.1,
 * plus the non-standard `Proxy-Connection`): a proxy never passes them on, in either direction.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names a message's `Connection` header lists (RFC 9110 §7.6.1), in lower case. */
export function connectionOptions(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  const listed = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    listed
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
}

/**
 * A copy of a message's headers without the hop-by-hop ones and without every header its
 * `Connection` names (so a client cannot smuggle `Connection: x-internal` past us, nor an
 * upstream hand its connection options to our client).
 */
export function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = connectionOptions(headers);
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP_HEADERS.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}
