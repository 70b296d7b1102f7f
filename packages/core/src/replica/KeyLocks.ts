/**
 * Per-key mutual exclusion for read-modify-write. Waiters run in arrival
 * order; entries are removed when a key's queue empties, so memory is bounded
 * by the keys in flight.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = prev === undefined ? mine : prev.then(() => mine);
    this.tails.set(key, tail);
    try {
      if (prev !== undefined) await prev;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
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
    return this.tails.size;
  }
}
