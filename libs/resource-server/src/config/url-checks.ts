// The URL shapes the options take, checked alike wherever an option names one.

/** True for an origin exactly as a browser sends it: scheme, host, port if any, no path. @internal */
export function isOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** True for a `redis://` or `rediss://` URL. @internal */
export function isRedisUrl(value: unknown): value is string {
  return typeof value === 'string' && /^rediss?:\/\/[^\s]+$/.test(value);
}

/** True for an http(s) URL with a host. @internal */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
