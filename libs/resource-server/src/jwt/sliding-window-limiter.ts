/**
 * Allows at most `limit` events in any window of `windowMs`, failures included: unlike a
 * token bucket or fixed windows, no burst at a boundary ever exceeds the limit.
 * @internal
 */
export class SlidingWindowLimiter {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Records an event and returns true, or returns false when the window is full. */
  tryAcquire(): boolean {
    const now = this.clock();
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) return false;
    this.times.push(now);
    return true;
  }
}
