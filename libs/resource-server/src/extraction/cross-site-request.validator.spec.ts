import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { CrossSiteRequestError } from '../errors/cross-site-request.error.js';
import type { TokenSource } from './bearer-token-resolver.js';
import { checkCrossSite, type CrossSitePolicy } from './cross-site-request.validator.js';

const policy: CrossSitePolicy = { trustedOrigins: new Set(['https://app.example.com']) };
const request = (method: string, rawHeaders: string[]) => ({ method, rawHeaders }) as unknown as IncomingMessage;

function outcome(method: string, rawHeaders: string[], source: TokenSource = 'cookie'): string {
  try {
    checkCrossSite(request(method, rawHeaders), source, policy);
    return 'allowed';
  } catch (error) {
    expect(error).toBeInstanceOf(CrossSiteRequestError);
    expect((error as CrossSiteRequestError).reason).toBe('csrf_rejected');
    return 'refused';
  }
}

describe('checkCrossSite', () => {
  it.each<[string, string, string[], TokenSource, string]>([
    ['a cookie write from the trusted origin', 'POST', ['Origin', 'https://app.example.com'], 'cookie', 'allowed'],
    ['a cookie write without Origin', 'POST', [], 'cookie', 'refused'],
    ['a cookie write from a sibling subdomain', 'DELETE', ['Origin', 'https://evil.example.com'], 'cookie', 'refused'],
    ['a cookie write with Origin null', 'PUT', ['Origin', 'null'], 'cookie', 'refused'],
    [
      'a cookie write whose Origin differs in case',
      'PATCH',
      ['origin', 'HTTPS://APP.EXAMPLE.COM'],
      'cookie',
      'refused',
    ],
    [
      'a cookie write with two Origin headers',
      'POST',
      ['Origin', 'https://app.example.com', 'ORIGIN', 'https://app.example.com'],
      'cookie',
      'refused',
    ],
    ['a cookie read without Origin', 'GET', [], 'cookie', 'allowed'],
    ['a cookie HEAD without Origin', 'HEAD', [], 'cookie', 'allowed'],
    ['a cookie preflight without Origin', 'OPTIONS', [], 'cookie', 'allowed'],
    ['a header-token write without Origin', 'POST', [], 'header', 'allowed'],
    ['a header-token write from another origin', 'POST', ['Origin', 'https://evil.example'], 'header', 'allowed'],
    ['a cookie write with an unknown method', 'PURGE', [], 'cookie', 'refused'],
  ])('answers %s: %s', (_case, method, headers, source, expected) => {
    expect(outcome(method, headers, source)).toBe(expected);
  });
});
