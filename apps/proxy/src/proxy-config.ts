import type { ForwardingOptions } from './forwarding-proxy.js';

/** Reads the proxy's own variables; problems are lines naming the variable. */
export function forwardingFromEnv(env: Record<string, string | undefined>, problems: string[]): ForwardingOptions {
  const upstream = env.UPSTREAM_URL?.trim() || 'http://127.0.0.1:3001';
  try {
    const url = new URL(upstream);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    problems.push(`UPSTREAM_URL: expected an http(s) URL, got ${JSON.stringify(upstream)}`);
  }
  const timeout = env.PROXY_TIMEOUT_MS?.trim() || '10000';
  if (!/^\d+$/.test(timeout) || Number(timeout) < 1) {
    problems.push(`PROXY_TIMEOUT_MS: expected milliseconds, got ${JSON.stringify(timeout)}`);
  }
  const trust = env.PROXY_TRUST_FORWARDED?.trim().toLowerCase() || 'false';
  if (trust !== 'true' && trust !== 'false') {
    problems.push(`PROXY_TRUST_FORWARDED: expected true or false, got ${JSON.stringify(trust)}`);
  }
  return { upstream, mountPath: '/api', timeoutMs: Number(timeout), trustForwarded: trust === 'true' };
}
