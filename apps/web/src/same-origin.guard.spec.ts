import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { SameOriginGuard } from './same-origin.guard.js';

const ORIGIN = 'http://localhost:3000';
const context = (headers: Record<string, string>) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ method: 'POST', headers }) }) }) as unknown as ExecutionContext;

describe('SameOriginGuard', () => {
  const guard = new SameOriginGuard({ origin: ORIGIN });

  it('accepts a request whose Origin is WEB_ORIGIN', () => {
    expect(guard.canActivate(context({ origin: ORIGIN }))).toBe(true);
  });

  it.each<[string, Record<string, string>]>([
    ['another site', { origin: 'https://evil.example' }],
    ['a sibling port (same site)', { origin: 'http://localhost:3001' }],
    ['another scheme', { origin: 'https://localhost:3000' }],
    ['the origin with a path', { origin: `${ORIGIN}/` }],
    ['a null origin (sandboxed frame, redirect)', { origin: 'null' }],
    ['no Origin, even with Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }],
    ['no Origin at all', {}],
  ])('refuses %s with 403', (_name, headers) => {
    expect(() => guard.canActivate(context(headers))).toThrow(ForbiddenException);
  });
});
