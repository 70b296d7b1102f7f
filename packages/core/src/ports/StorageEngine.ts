import type { ServiceIdentifier } from 'inversify';
import type { Lifecycle } from './Lifecycle';

/** One operation of an atomic batch. Keys and values are raw bytes. */
export type BatchOp =
  { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array } | { readonly type: 'del'; readonly key: Uint8Array };

/**
 * A key range. Bounds compare as unsigned bytes (memcmp order, shorter prefix
 * first). Absent bounds are open. `gt` wins over `gte`, `lt` over `lte`.
 */
export interface KeyRange {
  readonly gt?: Uint8Array;
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly lte?: Uint8Array;
}

/**
 * A consistent read view of an engine, taken by `StorageEngine.snapshot()`:
 * gets and iterators given it see the engine exactly as it was when it was
 * taken, whatever is written, deleted or compacted afterwards. It pins what
 * it needs (a disk engine keeps the files and memory it reads alive) until
 * `release()`, so release every snapshot you take. Reads through a released
 * snapshot throw NOT_OPEN; closing the engine releases all of its snapshots.
 * An iterator opened on a snapshot keeps its own hold: releasing the
 * snapshot does not disturb it.
 */
export interface Snapshot {
  /** Releases what the snapshot pins. Idempotent; never throws. */
  release(): void;
}

/** Options of `StorageEngine.get`. */
export interface EngineReadOptions {
  /** Read from this snapshot of the same engine instead of the current state. */
  readonly snapshot?: Snapshot;
}

export interface IteratorOptions extends KeyRange {
  /**
   * Iterate this snapshot (of the same engine) instead of one taken when the
   * iterator is created. Released, or not this engine's: see EngineReadOptions.
   */
  readonly snapshot?: Snapshot;
  /** Descending key order when true. Default false. */
  readonly reverse?: boolean;
  /**
   * Stop after this many entries: an integer >= 0, or -1 / Infinity /
   * undefined for no limit (the default). Anything else: INVALID_ARGUMENT.
   */
  readonly limit?: number;
}

export type Entry = [key: Uint8Array, value: Uint8Array];

/**
 * A cursor over a consistent snapshot: it sees the engine as it was when the
 * iterator was created; later writes are invisible to it. The snapshot (and,
 * for a disk engine, the files it reads) stays pinned until the iterator ends
 * or `close()` is called, so always close an iterator you do not exhaust.
 * Returned keys and values are owned by the caller (never reused buffers).
 * next() and nextv() must not overlap: one called while the other is pending
 * rejects INVALID_ARGUMENT. Once the engine closes, open iterators are closed
 * and their next()/nextv() reject NOT_OPEN.
 */
export interface EngineIterator extends AsyncIterable<Entry> {
  /** The next entry, or undefined at the end (then the iterator is closed). */
  next(): Promise<Entry | undefined>;
  /**
   * Up to `size` (a positive integer or Infinity, else INVALID_ARGUMENT) next
   * entries; fewer does not mean the end; an empty array at the end.
   */
  nextv(size: number): Promise<Entry[]>;
  /**
   * Repositions the iterator (as LevelDB's Iterator::Seek): the next entry
   * is the first one whose key is >= `target` (<= `target` in reverse), over
   * the same snapshot and within the same range and limit (entries already
   * returned still count against the limit). A target outside the range
   * positions at the end: next() then resolves undefined. Synchronous.
   * Throws INVALID_ARGUMENT when `target` is not a Uint8Array or a
   * next()/nextv() is pending, NOT_OPEN once the iterator has ended (it
   * ended at its end or limit, or was closed) or its engine closed.
   */
  seek(target: Uint8Array): void;
  /** Releases the snapshot. Idempotent. */
  close(): Promise<void>;
}

/**
 * What a compaction filter decides for one live key. A 'remove' or 'replace'
 * is a purge: it is reported to the purge listener (see PurgeListener) with
 * the decision's `note`, opaque bytes the filter may attach to say what it
 * dropped (e.g. which versions), passed on as they are (the filter must not
 * reuse them). A `note` that is not a Uint8Array makes the decision malformed.
 */
export type CompactionDecision =
  | { readonly action: 'keep' }
  | { readonly action: 'remove'; readonly note?: Uint8Array }
  | { readonly action: 'replace'; readonly value: Uint8Array; readonly note?: Uint8Array };

/** One key a compaction filter purged: its entry removed, or its value replaced. */
export interface PurgedKey {
  readonly key: Uint8Array;
  readonly action: 'remove' | 'replace';
  /** The decision's `note`, when it had one. */
  readonly note?: Uint8Array;
}

/**
 * Purges of one compaction (or part of them: a compaction's purges may come
 * in several reports, one after the other, in key order).
 */
export interface PurgeReport {
  /** Purged keys in key order, at most PURGE_REPORT_CHUNK of them. */
  readonly keys: readonly PurgedKey[];
  /**
   * Set (on a compaction's last report) when it purged more than the engine
   * itemizes (its bound on the purge records it holds per compaction): keys
   * in [gte, lte] (memcmp order) may have been purged without being listed,
   * so a consumer must treat that whole range as changed.
   */
  readonly unlisted?: { readonly gte: Uint8Array; readonly lte: Uint8Array };
}

/**
 * A key range an engine fenced because stored data under it was found
 * damaged (a checksum that fails in a table of a disk engine) and set aside.
 * Dropping damaged data can bring back older versions of its keys (or lose
 * their deletions), so the engine serves nothing in the range until its
 * owner rebuilds it: see StorageEngine.damaged.
 */
export interface DamagedRange {
  /** Inclusive bounds of the fenced range (memcmp order); gte <= lte. */
  readonly gte: Uint8Array;
  readonly lte: Uint8Array;
  /** What was set aside, for an operator (a disk engine: the path of the quarantined file). */
  readonly source: string;
  /** The first error that revealed the damage (its message). */
  readonly reason: string;
}

/**
 * Told of each range an engine fences (DamagedRange), once, when the fence
 * is durable (a restart keeps it). Called on the engine's thread, never
 * re-entrantly, possibly from inside a call that is about to reject
 * CORRUPTION: it must not call the engine (schedule the repair instead).
 * What it throws is caught and ignored.
 */
export type DamageListener = (damage: DamagedRange) => void;

/** Most keys in one PurgeReport. */
export const PURGE_REPORT_CHUNK = 1024;

/**
 * Told what compactions purged, once the purge is durable: for a persistent
 * engine after the compaction's result is committed (a crash afterwards keeps
 * the purge), so a compaction that fails, is abandoned or is retried (e.g.
 * without a filter that threw) reports nothing for that attempt. Called on
 * the engine's thread, never re-entrantly, never during open(). It must not
 * call the engine; what it throws is caught and counted (stats counter
 * `purgeListenerFailures`), and never fails the compaction. A purge of a
 * key's older entry while a newer write of it is not yet compacted is
 * reported too: the report says what compaction dropped, not the key's
 * current value.
 */
export type PurgeListener = (report: PurgeReport) => void;

/**
 * How to rebuild a compaction filter in another thread (or process):
 * `require(module)[export](...args)` must return a filter equivalent to the
 * one that produced this spec. `module` is a package name or an absolute
 * path (resolved from the engine's own package, not from the caller);
 * `args` must survive structured cloning (numbers, strings, plain objects,
 * arrays, Uint8Array; no functions).
 */
export interface PortableCompactionFilter {
  readonly module: string;
  readonly export: string;
  readonly args: readonly unknown[];
}

/**
 * Called by the engine for live (non-deleted) entries it rewrites during
 * compaction (or during `compactRange` for engines without background
 * compaction). Must be pure and fast; it must not call the engine. 'remove'
 * makes the key read as absent afterwards (an engine writes a deletion marker
 * when older versions may remain below); 'replace' rewrites the value.
 *
 * `portable` (optional) lets an engine that compacts on another thread run
 * the filter there: it is called when a compaction starts and returns a
 * spec whose factory builds an equivalent filter for that one compaction
 * (so a time-dependent filter samples its clock then, at job start). An
 * engine that compacts off the main thread runs a filter without
 * `portable` on the main thread instead (slower, never wrong). If the
 * rebuilt filter throws, the engine treats it exactly as if this filter
 * had thrown.
 */
export interface CompactionFilter {
  (key: Uint8Array, value: Uint8Array): CompactionDecision;
  readonly portable?: () => PortableCompactionFilter;
}

export interface EngineWriteOptions {
  /**
   * Force this write to stable storage (fsync) before resolving, whatever the
   * engine's default policy. Engines that cannot persist ignore it.
   */
  readonly sync?: boolean;
}

/** What an engine can do, so the contract suite and callers can adapt. */
export interface EngineSupports {
  /** Data survives close() and a process crash (kill -9). */
  readonly persistent: boolean;
  /** Runs the compaction filter (background or in compactRange). */
  readonly compactionFilter: boolean;
}

/** Engine statistics. `counters` holds engine-specific figures. */
export interface EngineStats {
  readonly engine: string;
  /** Approximate live bytes (keys + values) held. */
  readonly approximateBytes: number;
  /**
   * Engine-specific counters (amplification, cache hits, stalls, ...), all
   * finite numbers. `keys`, the approximate live key count, where known.
   */
  readonly counters: Readonly<Record<string, number>>;
}

/**
 * Ordered bytes → bytes, like LevelDB. Knows nothing of versions.
 *
 * Contract (checked by @dynamis/testkit's storageEngineContract):
 * - Every method but open(), close() and setCompactionFilter() rejects with
 *   NOT_OPEN unless the engine is open (before open(), while opening or
 *   closing, after close()); the synchronous iterator(), snapshot() and
 *   stats() throw it. An engine may be opened again after close() and then
 *   holds what it held before (a volatile engine too: its data lives as
 *   long as the instance; a new instance of a volatile engine starts empty).
 * - Arguments are checked at the boundary: a key, value or bound that is not
 *   a Uint8Array, a malformed batch op or bad options reject INVALID_ARGUMENT
 *   and change nothing. Empty keys and empty values are valid.
 * - get() resolves undefined for a missing key; a missing key is never an error.
 * - write() is atomic: after it resolves every op is visible; after a crash
 *   either all of its ops survive or none. Ops of one batch apply in order
 *   (a later op on the same key wins).
 * - Calls are linearizable in the order they are made: a get() issued after a
 *   write() resolved sees it. Concurrent writes apply in call order.
 * - Durability: a resolved write survives close() and (for persistent engines)
 *   a kill -9 of the process; `sync: true` additionally survives a machine
 *   crash. Corrupt data is a CORRUPTION error, never silently wrong data:
 *   an engine that sets damaged data aside fences its key range (damaged(),
 *   setDamageListener) until the owner deletes and rebuilds it.
 * - Keys, values and bounds passed in may be reused by the caller as soon as
 *   the call returns, even before its promise settles: the engine copies what
 *   it keeps. Keys and values it returns are the caller's: mutating them never
 *   changes stored data.
 */
export interface StorageEngine extends Lifecycle {
  readonly supports: EngineSupports;
  /** Opens (creating if needed) and recovers. Idempotent once open. */
  open(): Promise<void>;
  /**
   * Closes the iterators still open, waits for calls in flight, flushes what
   * must be flushed and releases every handle. Idempotent; never NOT_OPEN.
   */
  close(): Promise<void>;
  /**
   * The value of `key`, or undefined, as of `options.snapshot` when given (a
   * released snapshot, or one of another engine: NOT_OPEN / INVALID_ARGUMENT).
   */
  get(key: Uint8Array, options?: EngineReadOptions): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array, options?: EngineWriteOptions): Promise<void>;
  /** Deleting a missing key is a no-op, not an error. */
  delete(key: Uint8Array, options?: EngineWriteOptions): Promise<void>;
  /** Applies `ops` atomically. An empty batch is a no-op. */
  write(ops: readonly BatchOp[], options?: EngineWriteOptions): Promise<void>;
  /**
   * Deletes every key k with start <= k < end (memcmp order), atomically and
   * durably like any write (same `sync` option and fsync policy; a crash
   * keeps all of it or none). Snapshots and iterators taken before do not
   * see it. start >= end deletes nothing and is no error. Its cost does not
   * grow with the number of keys in the range (an engine records one range
   * tombstone), although reads may pay until compaction removes the data.
   */
  deleteRange(start: Uint8Array, end: Uint8Array, options?: EngineWriteOptions): Promise<void>;
  /**
   * A snapshot of the engine as it is now, for get() and iterator() (see
   * Snapshot); release it when done. Throws NOT_OPEN synchronously.
   */
  snapshot(): Snapshot;
  /**
   * A new iterator over a snapshot taken now (see EngineIterator); the caller
   * must exhaust or close it. Throws NOT_OPEN or INVALID_ARGUMENT synchronously.
   * An inverted range (lower above upper) yields nothing.
   */
  iterator(options?: IteratorOptions): EngineIterator;
  /**
   * Installs (or with undefined, removes) the compaction filter, for
   * compactions that start afterwards. Allowed in any state, so a filter can
   * be set before open(). Throws INVALID_ARGUMENT if not a function.
   */
  setCompactionFilter(filter: CompactionFilter | undefined): void;
  /**
   * Installs (or with undefined, removes) the listener told what compaction
   * filters purged (see PurgeListener); one listener at a time, the last set
   * wins. Allowed in any state. Throws INVALID_ARGUMENT if not a function.
   */
  setPurgeListener(listener: PurgeListener | undefined): void;
  /**
   * Installs (or with undefined, removes) the listener told of each damaged
   * range the engine fences (see DamageListener); one at a time, the last
   * set wins. Allowed in any state. Throws INVALID_ARGUMENT if not a function.
   */
  setDamageListener(listener: DamageListener | undefined): void;
  /**
   * The fences in force: ranges whose stored data was found damaged and set
   * aside (also those found before a restart). While a range is fenced,
   * get() of a key in it and every read of an iterator whose range meets it
   * reject CORRUPTION (`details.damaged: true`), never older or missing
   * data; writes in it are accepted. A deleteRange(start, end) with
   * start <= gte and lte < end lifts the fence once it is durable (it is
   * made with `sync`, whatever the caller asked): from then on the range
   * holds only what was written after that deleteRange. An engine that
   * never finds damage (a volatile one) returns []. Throws NOT_OPEN.
   */
  damaged(): readonly DamagedRange[];
  /**
   * Compacts the whole key space now (or `range` of it), running the filter
   * on every live entry in the range when `supports.compactionFilter`.
   * Resolves when done; reads during it see each key before or after.
   */
  compactRange(range?: KeyRange): Promise<void>;
  stats(): EngineStats;
}

export const StorageEngineToken: ServiceIdentifier<StorageEngine> = Symbol.for('dynamis.StorageEngine');
