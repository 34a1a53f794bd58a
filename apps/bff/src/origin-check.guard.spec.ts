import type { ExecutionContext } from '@nestjs/common';
import { ForbiddenException } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { OriginCheckGuard } from './origin-check.guard.js';

const ORIGIN = 'http://localhost:3005';
const context = (method: string, headers: Record<string, string>) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ method, headers }) }) }) as unknown as ExecutionContext;

describe('OriginCheckGuard', () => {
  const guard = new OriginCheckGuard(ORIGIN);

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a safe %s through from anywhere', (method) => {
    expect(guard.canActivate(context(method, { origin: 'https://evil.example' }))).toBe(true);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('accepts %s from the BFF origin', (method) => {
    expect(guard.canActivate(context(method, { origin: ORIGIN }))).toBe(true);
  });

  it('accepts a same-origin fetch without Origin (Sec-Fetch-Site)', () => {
    expect(guard.canActivate(context('POST', { 'sec-fetch-site': 'same-origin' }))).toBe(true);
  });

  it.each<[string, Record<string, string>]>([
    ['another origin', { origin: 'https://evil.example' }],
    ['a sibling port', { origin: 'http://localhost:3000' }],
    ['the origin with a path', { origin: `${ORIGIN}/` }],
    ['null origin', { origin: 'null' }],
    ['no Origin and a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin at all', {}],
  ])('refuses a POST with %s (403)', (_name, headers) => {
    expect(() => guard.canActivate(context('POST', headers))).toThrow(ForbiddenException);
  });
});
