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
  DamagedRange,
  DamageListener,
  PurgeListener,
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
import { EngineLifecycle } from './EngineLifecycle';
import { DamageReporter } from './DamageReporter';
import { PurgeReporter } from './PurgeReporter';
import type { RangeBounds } from './rangeBounds';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Base of StorageEngine implementations (abstract-level style). Its public
 * methods validate arguments (INVALID_ARGUMENT), enforce the open state
 * (NOT_OPEN), copy the caller's buffers (unless `borrowsWriteBuffers`),
 * count in-flight calls and then call the protected hooks an
 * implementation fills in. They are the only public path: an engine
 * implements the hooks and does not override them. Failures are always
 * rejections, never synchronous throws; a hook that completes
 * synchronously costs no extra promise or tick (get/put/delete/write
 * return an already-settled promise).
 *
 * Lifecycle (see EngineLifecycle): calls made while opening or closing
 * reject NOT_OPEN. close() first aborts
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
export abstract class AbstractStorageEngine extends EngineLifecycle implements StorageEngine {
  abstract readonly supports: EngineSupports;

  /** The filter installed by setCompactionFilter, for `_compactRange` and background compaction. */
  protected compactionFilter: CompactionFilter | undefined = undefined;
  /**
   * The purge listener (setPurgeListener): an engine that runs the filter
   * calls `purges.deliver` once a compaction's purges are durable, and
   * reports `purges.failures` as the stats counter `purgeListenerFailures`.
   */
  protected readonly purges = new PurgeReporter();
  /**
   * The damage listener (setDamageListener): an engine that fences damaged
   * ranges calls `damage.deliver` once a fence is durable.
   */
  protected readonly damage = new DamageReporter();

  private readonly iterators = new Set<AbstractEngineIterator>();
  private readonly snapshots = new Set<AbstractEngineSnapshot>();

  /**
   * When true, `_write` receives the caller's key and value buffers
   * themselves (validated, not copied) and must copy whatever it keeps
   * before it returns (synchronously), as the caller may reuse them at once.
   * Default false: `_write` gets copies it may keep.
   */
  protected readonly borrowsWriteBuffers: boolean = false;

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

  get(key: Uint8Array, options?: EngineReadOptions): Promise<Uint8Array | undefined> {
    let snapshot: AbstractEngineSnapshot | undefined;
    try {
      this.checkOpen();
      checkBytes(key, 'key');
      snapshot = options === undefined ? undefined : this.checkSnapshot(resolveEngineReadOptions(options));
    } catch (err) {
      return Promise.reject(err);
    }
    this.enter();
    let result: Promise<Uint8Array | undefined> | Uint8Array | undefined;
    try {
      result = this._get(key, snapshot);
    } catch (err) {
      this.settle();
      return Promise.reject(err);
    }
    if (result instanceof Promise) return result.finally(this.settleOne);
    this.settle();
    return Promise.resolve(result);
  }

  put(key: Uint8Array, value: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    let sync: boolean;
    try {
      this.checkOpen();
      checkBytes(key, 'key');
      checkBytes(value, 'value');
      sync = checkWriteOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const op: BatchOp = this.borrowsWriteBuffers
      ? { type: 'put', key, value }
      : { type: 'put', key: copyBytes(key), value: copyBytes(value) };
    return this.runWrite([op], sync);
  }

  delete(key: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    let sync: boolean;
    try {
      this.checkOpen();
      checkBytes(key, 'key');
      sync = checkWriteOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.runWrite([{ type: 'del', key: this.borrowsWriteBuffers ? key : copyBytes(key) }], sync);
  }

  write(ops: readonly BatchOp[], options?: EngineWriteOptions): Promise<void> {
    let checked: BatchOp[];
    let sync: boolean;
    try {
      this.checkOpen();
      checked = copyBatch(ops, !this.borrowsWriteBuffers);
      sync = checkWriteOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (checked.length === 0) return RESOLVED;
    return this.runWrite(checked, sync);
  }

  /** start >= end is a no-op (resolved, nothing written). */
  async deleteRange(start: Uint8Array, end: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    this.checkOpen();
    checkBytes(start, 'start');
    checkBytes(end, 'end');
    const sync = checkWriteOptions(options);
    if (Buffer.compare(start, end) >= 0) return;
    this.enter();
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

  /** Allowed in any state; see StorageEngine.setPurgeListener. */
  setPurgeListener(listener: PurgeListener | undefined): void {
    this.purges.set(listener);
  }

  /** Allowed in any state; see StorageEngine.setDamageListener. */
  setDamageListener(listener: DamageListener | undefined): void {
    this.damage.set(listener);
  }

  /** Throws NOT_OPEN (synchronously) unless open; see StorageEngine.damaged. */
  damaged(): readonly DamagedRange[] {
    this.checkOpen();
    return this._damaged();
  }

  /** The fences in force; an engine that never fences keeps this default (none). */
  protected _damaged(): readonly DamagedRange[] {
    return [];
  }

  async compactRange(range?: KeyRange): Promise<void> {
    this.checkOpen();
    const bounds = resolveRange(range);
    this.enter();
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

  /** Calls `_write`, counting it in flight until it settles; a synchronous result settles at once. */
  private runWrite(ops: readonly BatchOp[], sync: boolean): Promise<void> {
    this.enter();
    let result: Promise<void> | void;
    try {
      result = this._write(ops, sync);
    } catch (err) {
      this.settle();
      return Promise.reject(err);
    }
    if (result === undefined) {
      this.settle();
      return RESOLVED;
    }
    return result.finally(this.settleOne);
  }

  protected override async _abortReaders(): Promise<void> {
    for (const it of Array.from(this.iterators)) await it.abort();
  }

  protected override _releaseReaders(): void {
    for (const snapshot of Array.from(this.snapshots)) snapshot.release();
  }

  protected override _forgetReaders(): void {
    this.iterators.clear();
    this.snapshots.clear();
  }

  /** `snapshot` when usable here (see AbstractEngineSnapshot.checkUsableIn). */
  protected checkSnapshot(snapshot: AbstractEngineSnapshot | undefined): AbstractEngineSnapshot | undefined {
    snapshot?.checkUsableIn(this.snapshots);
    return snapshot;
  }
}
