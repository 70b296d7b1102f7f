import {
  AbstractStorageEngine,
  copyBytes,
  type AbstractEngineIterator,
  type AbstractEngineSnapshot,
  type BatchOp,
  type EngineStats,
  type EngineSupports,
  type IteratorSpec,
  type RangeBounds,
} from '@dynamis/core';
import { ClassicLevel } from 'classic-level';
import { filterRange, type FilterTally } from './filterRange';
import { levelError } from './levelError';
import { LevelIterator, type LevelIteratorHandle } from './LevelIterator';
import { LevelSnapshot } from './LevelSnapshot';
import { checkLevelEngineOptions, type LevelEngineOptions } from './options';
import { WriteQueue } from './WriteQueue';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

const SUPPORTS: EngineSupports = Object.freeze({ persistent: true, compactionFilter: true });
/** Upper end used to size "the whole key space" (LevelDB's approximateSize needs two keys). */
const HIGH_KEY = new Uint8Array(4096).fill(0xff);

/**
 * A persistent StorageEngine backed by LevelDB through classic-level,
 * written only against @dynamis/core's public exports (AbstractStorageEngine
 * does the argument checks, NOT_OPEN, buffer copies and close ordering).
 *
 * - Writes go through a WriteQueue: one LevelDB batch at a time, in call
 *   order, with concurrent writes merged into one group commit. A resolved
 *   write is in LevelDB's log (the OS has it: it survives kill -9);
 *   `sync: true` also fsyncs it (survives a machine crash).
 * - get() and iterators read LevelDB snapshots (implicit, or the explicit one
 *   given); snapshot() is a LevelDB snapshot.
 * - deleteRange() and compactRange() run alone in the queue (see filterRange
 *   and the README for their limits: LevelDB has no range tombstones and no
 *   compaction-filter hook, so both walk the keys of the range).
 * - Errors: LEVEL_LOCKED → UNAVAILABLE, LEVEL_CORRUPTION → CORRUPTION, other
 *   LevelDB failures → IO_ERROR (see levelError).
 */
export class LevelStorageEngine extends AbstractStorageEngine {
  readonly supports: EngineSupports = SUPPORTS;
  private readonly options: LevelEngineOptions;
  private db: Db | undefined = undefined;
  private readonly queue = new WriteQueue((ops, sync) => this.applyBatch(ops, sync));
  private tableBytes = 0;
  private bytesSinceSized = 0;
  private writes = 0;
  private readonly filtered: FilterTally = { removed: 0, replaced: 0 };

  /** `dir`: the LevelDB directory. Throws INVALID_CONFIG for bad options (see LevelEngineOptions). No I/O until open(). */
  constructor(
    readonly dir: string,
    options: LevelEngineOptions = {},
  ) {
    super();
    this.options = checkLevelEngineOptions(options);
  }

  protected override async _open(): Promise<void> {
    const { cacheSize, writeBufferSize, compression } = this.options;
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(this.dir, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      createIfMissing: true,
      ...(cacheSize === undefined ? {} : { cacheSize }),
      ...(writeBufferSize === undefined ? {} : { writeBufferSize }),
      ...(compression === undefined ? {} : { compression }),
    });
    try {
      await db.open();
      this.tableBytes = await db.approximateSize(new Uint8Array(0), HIGH_KEY);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw levelError(err, 'open', this.dir);
    }
    this.db = db;
    this.bytesSinceSized = 0;
  }

  protected override async _close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await db.close().catch((err: unknown) => Promise.reject(levelError(err, 'close', this.dir)));
  }

  protected override async _get(key: Uint8Array, snapshot: AbstractEngineSnapshot | undefined): Promise<Uint8Array | undefined> {
    const db = this.database();
    const k = copyBytes(key);
    try {
      return snapshot === undefined ? await db.get(k) : await db.get(k, { snapshot: (snapshot as LevelSnapshot).handle as never });
    } catch (err) {
      throw levelError(err, 'get', this.dir);
    }
  }

  protected override _write(ops: readonly BatchOp[], sync: boolean): Promise<void> {
    return this.queue.write(ops, sync);
  }

  protected override _deleteRange(start: Uint8Array, end: Uint8Array, sync: boolean): Promise<void> {
    return this.queue.exclusive(async () => {
      const db = this.database();
      try {
        const keys = await db.keys({ gte: start, lt: end }).all();
        if (keys.length > 0)
          await db.batch(
            keys.map((key) => ({ type: 'del' as const, key })),
            { sync },
          );
      } catch (err) {
        throw levelError(err, 'deleteRange', this.dir);
      }
    });
  }

  protected override _snapshot(): AbstractEngineSnapshot {
    return new LevelSnapshot(this.database().snapshot());
  }

  protected override _iterator(spec: IteratorSpec): AbstractEngineIterator {
    const db = this.database();
    const snapshot = spec.snapshot as LevelSnapshot | undefined;
    const range: Record<string, Uint8Array> = {};
    if (spec.lower !== undefined) range[spec.lowerInclusive ? 'gte' : 'gt'] = spec.lower;
    if (spec.upper !== undefined) range[spec.upperInclusive ? 'lte' : 'lt'] = spec.upper;
    const it = db.iterator({ ...range, reverse: spec.reverse, ...(snapshot === undefined ? {} : { snapshot: snapshot.handle as never }) });
    snapshot?.hold();
    return new LevelIterator(it as unknown as LevelIteratorHandle, spec, snapshot, this.dir);
  }

  protected override _compactRange(bounds: RangeBounds): Promise<void> {
    return this.queue.exclusive(async () => {
      const db = this.database();
      const filter = this.compactionFilter;
      const result = await filterRange(db, bounds, filter, this.purges, this.filtered, this.dir);
      if (result.first === undefined || result.last === undefined) return;
      try {
        // LevelDB's own compaction of what the range spans (it flushes the memtable first).
        const end = new Uint8Array(result.last.length + 1);
        end.set(result.last);
        await db.compactRange(result.first, end);
        this.tableBytes = await db.approximateSize(new Uint8Array(0), HIGH_KEY);
        this.bytesSinceSized = 0;
      } catch (err) {
        throw levelError(err, 'compactRange', this.dir);
      }
    });
  }

  /**
   * `approximateBytes`: LevelDB's estimate of its table files (compressed,
   * overwritten versions included until compacted), taken at open and after
   * each compactRange, plus the key and value bytes put since. Counters:
   * `writes` (LevelDB batches, group commits counting once), `filterRemoved`,
   * `filterReplaced`, `purgeListenerFailures`, `filesAtLevel0`..`filesAtLevel6`.
   */
  protected override _stats(): EngineStats {
    const db = this.database();
    const counters: Record<string, number> = {
      writes: this.writes,
      filterRemoved: this.filtered.removed,
      filterReplaced: this.filtered.replaced,
      purgeListenerFailures: this.purges.failures,
    };
    for (let level = 0; level < 7; level++)
      counters[`filesAtLevel${level}`] = Number(db.getProperty(`leveldb.num-files-at-level${level}`)) || 0;
    return { engine: 'leveldb', approximateBytes: this.tableBytes + this.bytesSinceSized, counters };
  }

  private async applyBatch(ops: readonly BatchOp[], sync: boolean): Promise<void> {
    const db = this.database();
    try {
      await db.batch(ops as BatchOp[] as never, { sync });
    } catch (err) {
      throw levelError(err, 'write', this.dir);
    }
    this.writes++;
    for (const op of ops) if (op.type === 'put') this.bytesSinceSized += op.key.length + op.value.length;
  }

  /** The open database (the base class calls hooks only while open). */
  private database(): Db {
    if (this.db === undefined)
      throw levelError(Object.assign(new Error('not open'), { code: 'LEVEL_DATABASE_NOT_OPEN' }), 'call', this.dir);
    return this.db;
  }
}
