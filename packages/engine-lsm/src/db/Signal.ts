/**
 * A broadcast wake-up: `wait()` resolves at the next `notify()`. Used for
 * "a flush or compaction finished" (stalled writers, compactRange) and
 * allocates one promise per round of waiting, not per waiter.
 */
export class Signal {
  private promise: Promise<void> | undefined = undefined;
  private resolve: (() => void) | undefined = undefined;

  /** Resolves at the next notify(). */
  wait(): Promise<void> {
    if (this.promise === undefined) {
      this.promise = new Promise<void>((resolve) => (this.resolve = resolve));
    }
    return this.promise;
  }

  /** Wakes every current waiter. */
  notify(): void {
    const resolve = this.resolve;
    this.promise = undefined;
    this.resolve = undefined;
    if (resolve !== undefined) resolve();
  }
}
