interface Waiters {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Observers of a GroupCommit. */
export interface GroupCommitHooks {
  /** `walSyncs` is incremented for every fsync started. */
  readonly stats?: { walSyncs: number };
  /** Called with the error of every failed fsync. */
  readonly onFailure?: (err: unknown) => void;
}

/**
 * Group commit for one append-only file (a WAL): `sync()` resolves once
 * every byte appended before the call is durable, sharing fsyncs between
 * callers. If no fsync is in flight, one starts at once; if one is, the
 * caller waits for the next one, which starts when the current one ends and
 * covers every caller that arrived meanwhile. So N concurrent writers cost
 * at most two fsyncs in a row, not N.
 *
 * `doSync` is the file's fsync (it may first wait for the previous WAL's
 * last fsync and for the directory entry, so durability holds in order). A
 * failed fsync rejects every caller it covered; later calls try again.
 */
export class GroupCommit {
  private inFlight: Promise<void> | undefined = undefined;
  private next: Waiters | undefined = undefined;
  /** Appended bytes not yet covered by a started fsync. */
  private dirty = false;
  /**
   * `doSync` performs one fsync; `hooks.stats.walSyncs` counts the fsyncs
   * started; `hooks.onFailure` hears of every failed one (besides the
   * callers it rejects).
   */
  constructor(
    private readonly doSync: () => Promise<void>,
    private readonly hooks: GroupCommitHooks = {},
  ) {}

  /** Notes an append (so that `syncIfDirty` knows there is work). */
  markDirty(): void {
    this.dirty = true;
  }

  /** True when bytes were appended since the last fsync started. */
  get isDirty(): boolean {
    return this.dirty;
  }

  /** Resolves when every byte appended before this call is durable. */
  sync(): Promise<void> {
    if (this.inFlight === undefined) return this.start();
    if (this.next === undefined) this.next = waiters();
    return this.next.promise;
  }

  /** Starts an fsync if anything is unsynced and none is pending (the interval policy's tick). */
  syncIfDirty(): Promise<void> | undefined {
    if (!this.dirty || this.next !== undefined) return undefined;
    return this.sync();
  }

  /** Resolves when every fsync started or queued so far has ended (never rejects). */
  async idle(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight.catch(() => undefined);
  }

  private start(): Promise<void> {
    this.dirty = false;
    if (this.hooks.stats !== undefined) this.hooks.stats.walSyncs++;
    const run = this.doSync();
    this.inFlight = run;
    run.then(
      () => this.finished(),
      (err: unknown) => {
        this.hooks.onFailure?.(err);
        this.finished();
      },
    );
    return run;
  }

  private finished(): void {
    this.inFlight = undefined;
    const next = this.next;
    if (next === undefined) return;
    this.next = undefined;
    this.start().then(next.resolve, next.reject);
  }
}
