// the longest delay setTimeout keeps (a longer one fires at once)
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` once `delayMs` has passed (at once when it is not positive), also past
 * setTimeout's limit (about 24.8 days: it then waits again for the rest), without keeping the
 * process alive: a connection's token expiry, say.
 * @returns the function that cancels it.
 * @internal
 */
export function fireAfter(delayMs: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (remainingMs: number) => {
    const waitMs = Math.min(Math.max(remainingMs, 0), MAX_TIMER_MS);
    timer = setTimeout(() => (remainingMs > MAX_TIMER_MS ? arm(remainingMs - MAX_TIMER_MS) : fire()), waitMs);
    timer.unref();
  };
  arm(delayMs);
  return () => clearTimeout(timer);
}
