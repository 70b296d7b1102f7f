/**
 * The file numbers a compaction on the worker thread may use for its
 * outputs. Numbers come from the engine's VersionSet on the main thread:
 * the job brings at least one, and whenever the pool runs dry the pool asks
 * for one more at once (`request`), so the next number is usually there by
 * the time the next output file starts (a number asked for but never used
 * is a harmless gap). Single-threaded.
 */
export class NumberPool {
  private readonly numbers: number[];
  private waiting: Promise<void> | undefined = undefined;
  private wake: (() => void) | undefined = undefined;
  private failure: unknown = undefined;
  private asked = false;

  constructor(
    initial: readonly number[],
    private readonly request: () => void,
  ) {
    this.numbers = [...initial];
  }

  /** The next number. Call only after `ready()` resolved (or while the initial numbers last). */
  take(): number {
    const n = this.numbers.shift();
    if (n === undefined) throw new Error('NumberPool.take() with no number available (await ready() first)');
    if (this.numbers.length === 0) this.ask();
    return n;
  }

  /** Resolves once a number is available; rejects with the reason given to close(). */
  async ready(): Promise<void> {
    while (this.numbers.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      this.ask();
      this.waiting ??= new Promise<void>((resolve) => (this.wake = resolve));
      await this.waiting;
    }
  }

  /** Numbers the engine sent. */
  add(numbers: readonly number[]): void {
    this.numbers.push(...numbers);
    this.asked = false;
    this.release();
  }

  /** No more numbers will come: ready() rejects with `reason` once the pool is empty. */
  close(reason: unknown): void {
    this.failure = reason;
    this.release();
  }

  private ask(): void {
    if (this.asked || this.failure !== undefined) return;
    this.asked = true;
    this.request();
  }

  private release(): void {
    const wake = this.wake;
    this.waiting = undefined;
    this.wake = undefined;
    wake?.();
  }
}
