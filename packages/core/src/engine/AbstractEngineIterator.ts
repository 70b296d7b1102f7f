import { DynamisError } from '../errors/DynamisError';
import type { EngineIterator, Entry } from '../ports/StorageEngine';
import { copyBytes } from '../util/bytes';
import { checkBatchSize, checkBytes } from './engineArgs';
import { inRange, type RangeBounds } from './rangeBounds';

const OPEN = 0;
/** Exhausted, or closed by its caller: next() resolves undefined, nextv() []. */
const ENDED = 1;
/** Closed because its engine closed: next() and nextv() reject NOT_OPEN. */
const ABORTED = 2;

function swallow(): void {}

/**
 * Base of engine iterators (abstract-level style). The public methods check
 * state, reject overlapping calls, honour `limit`, and end the iterator
 * (releasing its snapshot through `_close`) at the end of the data or of the
 * limit. Subclasses implement `_next`, optionally `_nextv`, `_seek` and
 * `_close`. seek() is checked here (state, target type, range): `_seek`
 * only ever sees a target inside the iterator's bounds; an outside target
 * makes the next read the end without calling it.
 *
 * next() and nextv() must not overlap: a call made while another is pending
 * rejects INVALID_ARGUMENT (`for await` never overlaps). Entries returned are
 * owned by the caller. After close() next() resolves undefined; once the
 * engine has closed it rejects NOT_OPEN.
 */
export abstract class AbstractEngineIterator implements EngineIterator {
  private state = OPEN;
  /** Entries still allowed by `limit`; -1 when unlimited. */
  private remaining: number;
  /** The pending _next/_nextv result, so that _close never overlaps it. */
  private inflight: unknown = undefined;
  private busy = false;
  private released: Promise<void> | undefined;
  private registry: Set<AbstractEngineIterator> | undefined;
  /** Set by a seek outside the bounds: the next read is the end. */
  private atEnd = false;

  /**
   * @param limit entries to yield at most; negative for no limit.
   * @param bounds the iterator's range, which seek targets must fall in.
   */
  protected constructor(
    limit: number,
    private readonly bounds: RangeBounds,
  ) {
    this.remaining = limit < 0 ? -1 : limit;
  }

  /**
   * Repositions at the first entry >= `target` (<= in reverse) of the same
   * snapshot; `target` is in the bounds and is a copy the subclass may keep.
   * Called only between reads, never after `_close`.
   */
  protected abstract _seek(target: Uint8Array): void;

  /** The next entry of the snapshot in iteration order, or undefined at its end. */
  protected abstract _next(): Entry | undefined | Promise<Entry | undefined>;

  /**
   * Up to `size` next entries (size >= 1, possibly Infinity); [] only at the
   * end. The default calls `_next` repeatedly; override it for speed.
   */
  protected _nextv(size: number): Entry[] | Promise<Entry[]> {
    return this.collect(size);
  }

  private async collect(size: number): Promise<Entry[]> {
    const out: Entry[] = [];
    while (out.length < size) {
      const entry = await this._next();
      if (entry === undefined) break;
      out.push(entry);
    }
    return out;
  }

  /** Releases the snapshot. Called once, never while `_next`/`_nextv` is pending. */
  protected abstract _close(): void | Promise<void>;

  async next(): Promise<Entry | undefined> {
    if (!this.begin()) return undefined;
    if (this.remaining === 0 || this.atEnd) {
      this.busy = false;
      await this.release(ENDED);
      return undefined;
    }
    let entry: Entry | undefined;
    try {
      const result = this._next();
      this.inflight = result;
      entry = await result;
    } finally {
      this.inflight = undefined;
      this.busy = false;
    }
    if (this.state === ABORTED) throw notOpen();
    if (entry === undefined) {
      await this.release(ENDED);
      return undefined;
    }
    if (this.remaining > 0 && --this.remaining === 0) await this.release(ENDED);
    return entry;
  }

  async nextv(size: number): Promise<Entry[]> {
    checkBatchSize(size);
    if (!this.begin()) return [];
    const want = this.remaining >= 0 && this.remaining < size ? this.remaining : size;
    if (want === 0 || this.atEnd) {
      this.busy = false;
      await this.release(ENDED);
      return [];
    }
    let entries: Entry[];
    try {
      const result = this._nextv(want);
      this.inflight = result;
      entries = await result;
    } finally {
      this.inflight = undefined;
      this.busy = false;
    }
    if (this.state === ABORTED) throw notOpen();
    if (entries.length === 0) {
      await this.release(ENDED);
      return entries;
    }
    if (this.remaining > 0) {
      this.remaining -= entries.length;
      if (this.remaining <= 0) {
        this.remaining = 0;
        await this.release(ENDED);
      }
    }
    return entries;
  }

  /** See EngineIterator.seek. */
  seek(target: Uint8Array): void {
    checkBytes(target, 'target');
    if (this.state === ABORTED) throw notOpen();
    if (this.state === ENDED) {
      throw new DynamisError('NOT_OPEN', 'the iterator has ended (exhausted, at its limit or closed)', {
        details: { resource: 'iterator' },
      });
    }
    if (this.busy) throw pending();
    if (!inRange(this.bounds, target)) {
      this.atEnd = true;
      return;
    }
    this.atEnd = false;
    this._seek(copyBytes(target));
  }

  /** Releases the snapshot. Idempotent; resolves when the release is done. */
  close(): Promise<void> {
    return this.release(ENDED);
  }

  /**
   * Closes the iterator because its engine is closing: later next()/nextv()
   * calls reject NOT_OPEN. For AbstractStorageEngine, not for callers.
   */
  abort(): Promise<void> {
    return this.release(ABORTED);
  }

  /**
   * Makes the iterator remove itself from `registry` when it closes. Called
   * once by AbstractStorageEngine, which aborts what is left on close.
   */
  trackIn(registry: Set<AbstractEngineIterator>): void {
    if (this.state !== OPEN) return;
    this.registry = registry;
    registry.add(this);
  }

  /** Iterates the remaining entries; breaking out of the loop closes the iterator. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Entry, void, undefined> {
    try {
      for (;;) {
        const entry = await this.next();
        if (entry === undefined) return;
        yield entry;
      }
    } finally {
      await this.close();
    }
  }

  /** False when ended; throws when aborted or busy; else marks the iterator busy. */
  private begin(): boolean {
    if (this.state === ENDED) return false;
    if (this.state === ABORTED) throw notOpen();
    if (this.busy) throw pending();
    this.busy = true;
    return true;
  }

  private release(state: typeof ENDED | typeof ABORTED): Promise<void> {
    if (this.released === undefined) {
      this.state = state;
      if (this.registry !== undefined) {
        this.registry.delete(this);
        this.registry = undefined;
      }
      this.released = this.releaseSnapshot();
    }
    return this.released;
  }

  private async releaseSnapshot(): Promise<void> {
    if (this.inflight !== undefined) await Promise.resolve(this.inflight).then(swallow, swallow);
    await this._close();
  }
}

function pending(): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', 'iterator call made while a previous next()/nextv() is pending', {
    details: { argument: 'this' },
  });
}

function notOpen(): DynamisError {
  return new DynamisError('NOT_OPEN', 'the engine of this iterator is closed');
}
