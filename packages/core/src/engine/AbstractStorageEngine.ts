import { DynamisError } from '../errors/DynamisError';
import type {
  BatchOp,
  CompactionFilter,
  EngineIterator,
  EngineStats,
  EngineSupports,
  EngineWriteOptions,
  IteratorOptions,
  KeyRange,
  EngineReadOptions,
  Snapshot,
  StorageEngine,
} from '../ports/StorageEngine';
import { copyBytes } from '../util/bytes';
import type { AbstractEngineIterator } from './AbstractEngineIterator';
import type { AbstractEngineSnapshot } from './AbstractEngineSnapshot';
import {
  checkBytes,
  checkWriteOptions,
  copyBatch,
  resolveIteratorOptions,
  resolveRange,
  resolveEngineReadOptions,
  type IteratorSpec,
} from './engineArgs';
import type { RangeBounds } from './rangeBounds';

/** Where an engine is in its lifecycle. */
export type EngineStatus = 'closed' | 'opening' | 'open' | 'closing';

function ignore(): void {}

/**
 * Base of StorageEngine implementations (abstract-level style). Its public
 * methods validate arguments (INVALID_ARGUMENT), enforce the open state
 * (NOT_OPEN), copy the caller's buffers, count in-flight calls and then call
 * the protected hooks an implementation fills in.
 *
 * Lifecycle: open() and close() are idempotent; concurrent open() calls share
 * one promise. close() during open() waits for it, open() during close()
 * waits for the close then reopens. A failed open() leaves the engine closed.
 * Calls made while opening or closing reject NOT_OPEN. close() first aborts
 * the iterators still open (their next() then rejects NOT_OPEN), then waits
 * for in-flight calls to settle, then releases the snapshots still held,
 * then calls `_close`. Snapshots given to get() and iterator() are checked
 * here (released: NOT_OPEN; another engine's: INVALID_ARGUMENT) before a
 * hook sees them.
 *
 * Ordering: every hook is called synchronously within the public call (no
 * tick in between), so an implementation that applies a write synchronously,
 * or enqueues it synchronously, keeps call order.
 */
export abstract class AbstractStorageEngine implements StorageEngine {
  abstract readonly supports: EngineSupports;

  /** The filter installed by setCompactionFilter, for `_compactRange` and background compaction. */
  protected compactionFilter: CompactionFilter | undefined = undefined;

  private state: EngineStatus = 'closed';
  private opening: Promise<void> | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;
  private pending = 0;
  private drained: (() => void) | undefined = undefined;
  private readonly iterators = new Set<AbstractEngineIterator>();
  private readonly snapshots = new Set<AbstractEngineSnapshot>();

  /** Where the engine is in its lifecycle. */
  get status(): EngineStatus {
    return this.state;
  }

  /**
   * Opens (creating and recovering what the engine needs). On failure it must
   * release what it took: the engine stays closed.
   */
  protected abstract _open(): Promise<void> | void;
  /** Flushes and releases everything. Called once per open, with no call in flight. */
  protected abstract _close(): Promise<void> | void;
  /**
   * The value of `key`, or undefined, in `snapshot` (checked; undefined: the
   * current state). `key` is the caller's buffer, not copied: read it before
   * the first await or copy it. The result must be the caller's to keep and
   * mutate.
   */
  protected abstract _get(
    key: Uint8Array,
    snapshot: AbstractEngineSnapshot | undefined,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  /**
   * Applies `ops` (non-empty, validated, copies the engine may keep) atomically
   * and in order; `sync` asks for stable storage before resolving.
   */
  protected abstract _write(ops: readonly BatchOp[], sync: boolean): Promise<void> | void;
  /**
   * Deletes the keys in [start, end) atomically, after the writes called
   * before it (start < end, copies the engine may keep); `sync` as in _write.
   */
  protected abstract _deleteRange(start: Uint8Array, end: Uint8Array, sync: boolean): Promise<void> | void;
  /**
   * A new iterator over `spec.snapshot` (checked; it must keep its own hold
   * on it) or over a snapshot taken now. `spec` bounds are copies.
   */
  protected abstract _iterator(spec: IteratorSpec): AbstractEngineIterator;
  /** A snapshot of the current state (registered and released by this class). */
  protected abstract _snapshot(): AbstractEngineSnapshot;
  /** Compacts `bounds` (copies) now, running `this.compactionFilter` on live entries. */
  protected abstract _compactRange(bounds: RangeBounds): Promise<void> | void;
  /** Current statistics. */
  protected abstract _stats(): EngineStats;

  open(): Promise<void> {
    switch (this.state) {
      case 'open':
        return Promise.resolve();
      case 'opening':
        return this.opening as Promise<void>;
      case 'closing':
        return (this.closing as Promise<void>).then(() => this.open());
      case 'closed':
        this.state = 'opening';
        this.opening = this.runOpen();
        return this.opening;
    }
  }

  close(): Promise<void> {
    switch (this.state) {
      case 'closed':
        return Promise.resolve();
      case 'closing':
        return this.closing as Promise<void>;
      case 'opening':
        return (this.opening as Promise<void>).then(() => this.close(), ignore);
      case 'open':
        this.state = 'closing';
        this.closing = this.runClose();
        return this.closing;
    }
  }

  /** Lifecycle: the same as open(). */
  start(): Promise<void> {
    return this.open();
  }

  /** Lifecycle: the same as close(); safe after a failed start(). */
  stop(): Promise<void> {
    return this.close();
  }

  async get(key: Uint8Array, options?: EngineReadOptions): Promise<Uint8Array | undefined> {
    this.checkOpen();
    checkBytes(key, 'key');
    const snapshot = this.checkSnapshot(resolveEngineReadOptions(options));
    this.pending++;
    try {
      return await this._get(key, snapshot);
    } finally {
      this.settle();
    }
  }

  async put(key: Uint8Array, value: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    this.checkOpen();
    checkBytes(key, 'key');
    checkBytes(value, 'value');
    const sync = checkWriteOptions(options);
    return this.runWrite([{ type: 'put', key: copyBytes(key), value: copyBytes(value) }], sync);
  }

  async delete(key: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    this.checkOpen();
    checkBytes(key, 'key');
    const sync = checkWriteOptions(options);
    return this.runWrite([{ type: 'del', key: copyBytes(key) }], sync);
  }

  async write(ops: readonly BatchOp[], options?: EngineWriteOptions): Promise<void> {
    this.checkOpen();
    const copies = copyBatch(ops);
    const sync = checkWriteOptions(options);
    if (copies.length === 0) return;
    return this.runWrite(copies, sync);
  }

  /** start >= end is a no-op (resolved, nothing written). */
  async deleteRange(start: Uint8Array, end: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    this.checkOpen();
    checkBytes(start, 'start');
    checkBytes(end, 'end');
    const sync = checkWriteOptions(options);
    if (Buffer.compare(start, end) >= 0) return;
    this.pending++;
    try {
      await this._deleteRange(copyBytes(start), copyBytes(end), sync);
    } finally {
      this.settle();
    }
  }

  /** Throws NOT_OPEN (synchronously) unless open, INVALID_ARGUMENT on bad options. */
  iterator(options?: IteratorOptions): EngineIterator {
    this.checkOpen();
    const spec = resolveIteratorOptions(options);
    this.checkSnapshot(spec.snapshot);
    const it = this._iterator(spec);
    it.trackIn(this.iterators);
    return it;
  }

  /** Throws NOT_OPEN (synchronously) unless open. */
  snapshot(): Snapshot {
    this.checkOpen();
    const snapshot = this._snapshot();
    snapshot.trackIn(this.snapshots);
    return snapshot;
  }

  /** Allowed in any state; takes effect for compactions that start afterwards. */
  setCompactionFilter(filter: CompactionFilter | undefined): void {
    if (filter !== undefined && typeof filter !== 'function') {
      throw new DynamisError('INVALID_ARGUMENT', 'compaction filter must be a function or undefined', {
        details: { argument: 'filter' },
      });
    }
    this.compactionFilter = filter;
  }

  async compactRange(range?: KeyRange): Promise<void> {
    this.checkOpen();
    const bounds = resolveRange(range);
    this.pending++;
    try {
      await this._compactRange(bounds);
    } finally {
      this.settle();
    }
  }

  /** Throws NOT_OPEN (synchronously) unless open. */
  stats(): EngineStats {
    this.checkOpen();
    return this._stats();
  }

  private async runWrite(ops: readonly BatchOp[], sync: boolean): Promise<void> {
    this.pending++;
    try {
      await this._write(ops, sync);
    } finally {
      this.settle();
    }
  }

  private async runOpen(): Promise<void> {
    try {
      await this._open();
    } catch (err) {
      this.state = 'closed';
      throw err;
    } finally {
      this.opening = undefined;
    }
    this.state = 'open';
  }

  private async runClose(): Promise<void> {
    try {
      const open = Array.from(this.iterators);
      for (const it of open) await it.abort();
      if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      for (const snapshot of Array.from(this.snapshots)) snapshot.release();
      await this._close();
    } finally {
      this.iterators.clear();
      this.snapshots.clear();
      this.state = 'closed';
      this.closing = undefined;
    }
  }

  /** `snapshot` when usable here (see AbstractEngineSnapshot.checkUsableIn). */
  protected checkSnapshot(snapshot: AbstractEngineSnapshot | undefined): AbstractEngineSnapshot | undefined {
    snapshot?.checkUsableIn(this.snapshots);
    return snapshot;
  }

  private checkOpen(): void {
    if (this.state !== 'open') {
      throw new DynamisError('NOT_OPEN', `storage engine is ${this.state}`, { details: { status: this.state } });
    }
  }

  private settle(): void {
    if (--this.pending === 0 && this.drained !== undefined) {
      const drained = this.drained;
      this.drained = undefined;
      drained();
    }
  }
}
