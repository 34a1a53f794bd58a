import { describe, expect, it } from '@jest/globals';
import { exceedsJsonDepth } from './json-body.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('exceedsJsonDepth', () => {
  it.each<[string, string, number, boolean]>([
    ['a flat object', '{"title":"milk"}', 1, false],
    ['an object one level too deep', '{"a":{"b":1}}', 1, true],
    ['nested arrays at the limit', '[[[1]]]', 3, false],
    ['nested arrays past the limit', '[[[[1]]]]', 3, true],
    ['brackets inside a string', '{"title":"[[[[{{{{"}', 1, false],
    ['an escaped quote before brackets in a string', '{"t":"\\"[[[["}', 1, false],
    ['siblings that each stay shallow', '[[1],[2],[3],[4]]', 2, false],
  ])('judges %s', (_name, text, max, expected) => {
    expect(exceedsJsonDepth(bytes(text), max)).toBe(expected);
  });

  it('answers for 40 000 levels in one pass, without recursion', () => {
    expect(exceedsJsonDepth(bytes('['.repeat(40_000) + ']'.repeat(40_000)), 32)).toBe(true);
  });
});
