/**
 * Per-key mutual exclusion at the coordinator: waiters run in arrival order;
 * a key's entry is removed when its queue empties, so memory is bounded by
 * the keys with a write in flight on this node.
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

  /** Keys locked or awaited. */
  get size(): number {
    return this.tails.size;
  }
}
