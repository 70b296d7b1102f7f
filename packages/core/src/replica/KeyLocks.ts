/**
 * Per-key mutual exclusion for read-modify-write. Waiters run in arrival
 * order; a key's entry is removed when its last holder leaves, so memory is
 * bounded by the keys in flight. An uncontended key costs one map entry and
 * no extra promise; a waiter is one queued callback.
 */
export class KeyLocks {
  /** Held keys → the waiters queued behind the holder, in arrival order. */
  private readonly held = new Map<string, Array<() => void>>();

  /** Runs `fn` once `key` is free, holding it until `fn`'s promise settles (also when it rejects or throws). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const waiters = this.held.get(key);
    if (waiters === undefined) this.held.set(key, []);
    else await new Promise<void>((resolve) => waiters.push(resolve));
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  /** Locks every key (in sorted order, so two batches cannot deadlock) and runs `fn`. */
  async runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...keys].sort();
    const step = (i: number): Promise<T> => (i === sorted.length ? fn() : this.run(sorted[i]!, () => step(i + 1)));
    return step(0);
  }

  /** Keys currently locked or awaited (for tests and stats). */
  get size(): number {
    return this.held.size;
  }

  /** Hands `key` to its next waiter (it stays held), or frees it. */
  private release(key: string): void {
    const waiters = this.held.get(key)!;
    const next = waiters.shift();
    if (next === undefined) this.held.delete(key);
    else next();
  }
}
