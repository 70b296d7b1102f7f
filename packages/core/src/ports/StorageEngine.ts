import type { ServiceIdentifier } from 'inversify';
import type { Lifecycle } from './Lifecycle';

/** One operation of an atomic batch. Keys and values are raw bytes. */
export type BatchOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

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

export interface IteratorOptions extends KeyRange {
  /** Descending key order when true. Default false. */
  readonly reverse?: boolean;
  /** Stop after this many entries. Default: no limit (-1 or undefined). */
  readonly limit?: number;
}

export type Entry = [key: Uint8Array, value: Uint8Array];

/**
 * A cursor over a consistent snapshot: it sees the engine as it was when the
 * iterator was created; later writes are invisible to it. The snapshot (and,
 * for a disk engine, the files it reads) stays pinned until the iterator ends
 * or `close()` is called, so always close an iterator you do not exhaust.
 * Returned keys and values are owned by the caller (never reused buffers).
 */
export interface EngineIterator extends AsyncIterable<Entry> {
  /** The next entry, or undefined at the end (then the iterator is closed). */
  next(): Promise<Entry | undefined>;
  /** Up to `size` next entries; an empty array at the end. */
  nextv(size: number): Promise<Entry[]>;
  /** Releases the snapshot. Idempotent. */
  close(): Promise<void>;
}

/** What a compaction filter decides for one live key. */
export type CompactionDecision =
  | { readonly action: 'keep' }
  | { readonly action: 'remove' }
  | { readonly action: 'replace'; readonly value: Uint8Array };

/**
 * Called by the engine for live (non-deleted) entries it rewrites during
 * compaction (or during `compactRange` for engines without background
 * compaction). Must be pure and fast; it must not call the engine. 'remove'
 * makes the key read as absent afterwards (an engine writes a deletion marker
 * when older versions may remain below); 'replace' rewrites the value.
 */
export type CompactionFilter = (key: Uint8Array, value: Uint8Array) => CompactionDecision;

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
  /** Engine-specific counters (amplification, cache hits, stalls, ...). */
  readonly counters: Readonly<Record<string, number>>;
}

/**
 * Ordered bytes → bytes, like LevelDB. Knows nothing of versions.
 *
 * Contract (checked by @dynamis/testkit's storageEngineContract):
 * - Every method but open() rejects with NOT_OPEN before open() and after close().
 * - get() resolves undefined for a missing key; a missing key is never an error.
 * - write() is atomic: after it resolves every op is visible; after a crash
 *   either all of its ops survive or none. Ops of one batch apply in order
 *   (a later op on the same key wins).
 * - Calls are linearizable in the order they are made: a get() issued after a
 *   write() resolved sees it. Concurrent writes apply in call order.
 * - Durability: a resolved write survives close() and (for persistent engines)
 *   a kill -9 of the process; `sync: true` additionally survives a machine
 *   crash. Corrupt data is a CORRUPTION error, never silently wrong data.
 * - Values and keys passed in may be reused by the caller after the call
 *   returns: the engine copies what it keeps.
 */
export interface StorageEngine extends Lifecycle {
  readonly supports: EngineSupports;
  /** Opens (creating if needed) and recovers. Idempotent once open. */
  open(): Promise<void>;
  /** Flushes what must be flushed and releases every handle. Idempotent. */
  close(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  put(key: Uint8Array, value: Uint8Array, options?: EngineWriteOptions): Promise<void>;
  delete(key: Uint8Array, options?: EngineWriteOptions): Promise<void>;
  /** Applies `ops` atomically. An empty batch is a no-op. */
  write(ops: readonly BatchOp[], options?: EngineWriteOptions): Promise<void>;
  iterator(options?: IteratorOptions): EngineIterator;
  /** Installs (or with undefined, removes) the compaction filter. */
  setCompactionFilter(filter: CompactionFilter | undefined): void;
  /** Compacts the whole key space now (or `range` of it), running the filter. */
  compactRange(range?: KeyRange): Promise<void>;
  stats(): EngineStats;
}

export const StorageEngineToken: ServiceIdentifier<StorageEngine> = Symbol.for('dynamis.StorageEngine');
