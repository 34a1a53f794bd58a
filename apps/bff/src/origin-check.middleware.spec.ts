import { describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { isTrustedRequest } from './origin-check.middleware.js';

const ORIGIN = 'http://localhost:3005';

describe('isTrustedRequest', () => {
  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a safe %s through from anywhere', (method) => {
    expect(isTrustedRequest(method, { origin: 'https://evil.example' }, ORIGIN)).toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('accepts %s from the BFF origin', (method) => {
    expect(isTrustedRequest(method, { origin: ORIGIN }, ORIGIN)).toBe(true);
  });

  it('accepts a same-origin fetch without Origin (Sec-Fetch-Site)', () => {
    expect(isTrustedRequest('POST', { 'sec-fetch-site': 'same-origin' }, ORIGIN)).toBe(true);
  });

  it.each<[string, IncomingHttpHeaders]>([
    ['another origin', { origin: 'https://evil.example' }],
    ['a sibling port', { origin: 'http://localhost:3000' }],
    ['the origin with a path', { origin: `${ORIGIN}/` }],
    ['null origin', { origin: 'null' }],
    ['two Origin headers', { origin: `${ORIGIN}, ${ORIGIN}` }],
    ['a foreign Origin with Sec-Fetch-Site: same-origin', { origin: 'null', 'sec-fetch-site': 'same-origin' }],
    ['no Origin and a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin and a same-site fetch', { 'sec-fetch-site': 'same-site' }],
    ['no Origin at all', {}],
  ])('refuses a POST with %s', (_name, headers) => {
    expect(isTrustedRequest('POST', headers, ORIGIN)).toBe(false);
  });
});
