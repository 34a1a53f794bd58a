import { describe, expect, it } from '@jest/globals';
import { isPending } from './token-verifier.js';

describe('isPending', () => {
  it.each<[string, unknown, boolean]>([
    ['a promise', Promise.resolve(1), true],
    ['a thenable of another promise library', { then: (resolve: (v: number) => void) => resolve(1) }, true],
    ['a verified token answered at once', { token: 't', claims: {}, strategy: 'jwt' }, false],
    ['undefined (a cache miss)', undefined, false],
    ['null', null, false],
    ['an object whose then is not a function', { then: 'soon' }, false],
  ])('answers %s with %s', (_case, answer, pending) => {
    expect(isPending(answer)).toBe(pending);
  });
});
