import { jest } from '@jest/globals';

/** Every fake of jest's modern timers but `Date`: sockets, timers and Playwright keep real time. */
const NOT_DATE = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/** Moves only `Date` to `now` (undo with `jest.useRealTimers()`): a clock set, not waited for. */
export function fakeDateOnly(now: number): void {
  jest.useFakeTimers({ doNotFake: [...NOT_DATE], now });
}
