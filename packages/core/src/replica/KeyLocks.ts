/**
 * Per-key mutual exclusion for read-modify-write. Waiters run in arrival
 * order; a key's entry is removed when its last holder leaves, so memory is
 * bounded by the keys in flight. An uncontended key costs one map entry (no
 * array, no extra promise); a waiter is one queued callback, its queue made
 * when the first one arrives.
 */
export class KeyLocks {
  /** Held keys → the waiters queued behind the holder, in arrival order (null: none yet). */
  private readonly held = new Map<string, Array<() => void> | null>();

  /** Runs `fn` once `key` is free, holding it until `fn`'s promise settles (also when it rejects or throws). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const wait = this.acquire(key);
    if (wait !== undefined) await wait;
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  /**
   * Locks every key (in sorted order, so two batches cannot deadlock; one at
   * a time, each once the previous is held) and runs `fn`, holding them all
   * until its promise settles; releases them in reverse order.
   */
  async runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = keys.length < 2 ? keys : [...keys].sort();
    for (let i = 0; i < sorted.length; i++) {
      const wait = this.acquire(sorted[i]!);
      if (wait !== undefined) await wait;
    }
    try {
      return await fn();
    } finally {
      for (let i = sorted.length - 1; i >= 0; i--) this.release(sorted[i]!);
    }
  }

  /** Keys currently locked or awaited (for tests and stats). */
  get size(): number {
    return this.held.size;
  }

  /** Takes `key` if it is free (undefined), else a promise of the turn it was queued for (the key is then held). */
  private acquire(key: string): Promise<void> | undefined {
    const waiters = this.held.get(key);
    if (waiters === undefined) {
      this.held.set(key, null);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      if (waiters === null) this.held.set(key, [resolve]);
      else waiters.push(resolve);
    });
  }

  /** Hands `key` to its next waiter (it stays held), or frees it. */
  private release(key: string): void {
    const next = this.held.get(key)?.shift();
    if (next === undefined) this.held.delete(key);
    else next();
  }
}
