import type { Clock, Timer } from '@dynamis/core';

/**
 * A token bucket on the Clock's monotonic time: `ratePerSecond` tokens a
 * second, at most one second's worth banked. `take(n)` spends n tokens and,
 * when that leaves the bucket in debt, waits until the debt is repaid, so
 * over any span the average rate stays at or below the rate (a single take
 * larger than the bucket is allowed and paid for afterwards). `cancel()`
 * ends every wait at once (used on stop; the waiters then see their own
 * stop flag). Not shared across nodes; shared by every user on one node.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly waits = new Set<{ timer: Timer; resolve: () => void }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: Clock,
  ) {
    this.tokens = ratePerSecond;
    this.last = clock.monotonic();
  }

  async take(n: number): Promise<void> {
    const now = this.clock.monotonic();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    this.tokens -= n;
    if (this.tokens >= 0) return;
    const ms = Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
    await new Promise<void>((resolve) => {
      const wait = { timer: this.clock.setTimer(ms, () => finish()), resolve: () => finish() };
      const finish = (): void => {
        wait.timer.cancel();
        this.waits.delete(wait);
        resolve();
      };
      this.waits.add(wait);
    });
  }

  /** Ends every pending wait now. */
  cancel(): void {
    for (const wait of [...this.waits]) wait.resolve();
  }
}
