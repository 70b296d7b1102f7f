import {
  AbstractStorageEngine,
  DynamisError,
  type AbstractEngineIterator,
  type AbstractEngineSnapshot,
  type BatchOp,
  type DamagedRange,
  type Clock,
  type EngineStats,
  type EngineSupports,
  type FileSystem,
  type IteratorSpec,
  type Logger,
  type RangeBounds,
} from '@dynamis/core';
import { fencesCleared, quarantinePath, type Damage } from '../damage/Damage';
import { parseLsmOptions, type LsmOptions, type ResolvedLsmOptions } from '../options';
import { afterTurn, type Db } from './Db';
import type { LsmSnapshot } from './LsmSnapshot';
import { openDb } from './openDb';
import type { ScrubPassOptions, ScrubReport } from './Scrubber';
import { statsOf } from './statsOf';

const SUPPORTS: EngineSupports = Object.freeze({ persistent: true, compactionFilter: true });

/**
 * A durable LSM-tree StorageEngine (see the package README and
 * docs/format.md): a checksummed WAL, a skip-list memtable, SSTables with
 * Bloom filters and a block cache, leveled or tiered compaction in the
 * background, and a crash-safe manifest.
 *
 * Contract beyond the StorageEngine port:
 * - Durability: every write is appended to the WAL with one synchronous
 *   write(2) before it resolves, so a kill -9 of the process never loses an
 *   acknowledged write, whatever the fsync policy. The policy decides what
 *   a machine crash can lose: nothing under 'always' (group commit), up to
 *   fsyncIntervalMs of writes under 'interval', unsynced writes under
 *   'none'. `sync: true` fsyncs before resolving under any policy.
 * - Writes never fail for lack of room: they slow down (~1 ms each at the
 *   L0 slowdown trigger) and wait (at the stop trigger or with every
 *   memtable full), counted in stats. After a WAL or background I/O
 *   failure every write rejects with that error (reads go on); reopen to
 *   recover.
 * - Reads are synchronous over memtables and tables; corrupt bytes are
 *   CORRUPTION naming the file and offset, never wrong data. A table found
 *   damaged (by a read, an iterator or a compaction) is quarantined: it
 *   leaves the version, its file moves to `quarantine/`, and its key range
 *   is fenced (damaged(), the damage listener) until a deleteRange covers it.
 * - A background scrub (`scrub.intervalMs`, `scrub.bytesPerSec`; `scrub()`
 *   runs one now) reads every live table from its file and verifies every
 *   checksum; damage it finds takes the same quarantine path.
 * - open() takes an exclusive LOCK on the directory (UNAVAILABLE if held)
 *   and recovers per `walRecovery` (CORRUPTION when it refuses).
 */
export class LsmStorageEngine extends AbstractStorageEngine {
  readonly supports: EngineSupports = SUPPORTS;
  /** The validated options, defaults filled in. */
  readonly options: ResolvedLsmOptions;
  private db: Db | undefined = undefined;
  /**
   * The write path copies what it keeps before `_write` returns (WAL append
   * and memtable arena, or a copy for a deferred or queued write), so the
   * base class need not copy: one validation (the base's), no copy.
   */
  protected override readonly borrowsWriteBuffers = true;

  /**
   * `dir`: the database directory (created on open). `options`: see
   * LsmOptions; throws INVALID_CONFIG listing every bad option. Does no I/O.
   */
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    options: LsmOptions = {},
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    super();
    this.options = parseLsmOptions(options);
  }

  protected override async _open(): Promise<void> {
    this.db = await openDb({
      fs: this.fs,
      dir: this.dir,
      options: this.options,
      clock: this.clock,
      logger: this.logger,
      filter: () => this.compactionFilter,
      purged: (log) => this.purges.deliver(log.keys, log.unlisted),
      damaged: (d) => this.damage.deliver(this.damagedRange(d)),
    });
  }

  protected override async _close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  protected override _get(
    key: Uint8Array,
    snapshot: AbstractEngineSnapshot | undefined,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined {
    const db = this.open_();
    let value: Uint8Array | undefined;
    try {
      value = snapshot === undefined ? db.get(key) : db.getAt(key, snapshot as LsmSnapshot);
    } catch (err) {
      void db.noteCorruption(err); // a damaged table: quarantined (README, "Damaged tables")
      throw err;
    }
    return db.shouldYield() ? afterTurn(value) : value;
  }

  /** Throws (the base rejects) the background failure or IO_ERROR; see WritePath.write. */
  protected override _write(ops: readonly BatchOp[], sync: boolean): Promise<void> | void {
    return this.open_().writes.write(ops, sync);
  }

  protected override _iterator(spec: IteratorSpec): AbstractEngineIterator {
    return this.open_().iterator(spec);
  }

  protected override _snapshot(): AbstractEngineSnapshot {
    return this.open_().snapshot();
  }

  /**
   * One range tombstone, through the write path like any batch (WAL,
   * memtable; see docs/format.md). When it covers fenced ranges it is
   * synced, then their fences are lifted (StorageEngine.damaged).
   */
  protected override _deleteRange(start: Uint8Array, end: Uint8Array, sync: boolean): Promise<void> | void {
    const db = this.open_();
    db.counters.rangeDeletions++;
    const cleared = fencesCleared(db.versions.current.damaged, start, end);
    const write = db.writes.write([{ type: 'delRange', key: start, end }], sync || cleared.length > 0);
    if (cleared.length === 0) return write;
    return Promise.resolve(write).then(() => db.liftFences(cleared));
  }

  protected override async _compactRange(bounds: RangeBounds): Promise<void> {
    const db = this.open_();
    try {
      await db.compactRange(bounds);
    } catch (err) {
      await db.noteCorruption(err); // a damaged input table: quarantined, and the caller told
      throw err;
    }
  }

  /**
   * Runs a scrub pass now (README, "Scrub"), or joins the one under way:
   * verifies every checksum of every live table, read from the file, at
   * `scrub.bytesPerSec` unless `{ throttle: false }`. Damage found is
   * quarantined and fenced as when a read finds it (the damage listener is
   * told) and listed in the report; the next background pass is due
   * `scrub.intervalMs` after this one ends. Rejects NOT_OPEN when closed; a
   * pass cut short by close() resolves with `stopped: true`.
   */
  scrub(options?: ScrubPassOptions): Promise<ScrubReport> {
    try {
      return this.open_().scrubber.scrub(options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  protected override _damaged(): readonly DamagedRange[] {
    return this.open_().versions.current.damaged.map((d) => this.damagedRange(d));
  }

  private damagedRange(d: Damage): DamagedRange {
    return { gte: d.gte.slice(), lte: d.lte.slice(), source: quarantinePath(this.dir, d.file), reason: d.reason };
  }

  protected override _stats(): EngineStats {
    const stats = statsOf(this.open_());
    return { ...stats, counters: { ...stats.counters, purgeListenerFailures: this.purges.failures } };
  }

  private open_(): Db {
    const db = this.db;
    if (db === undefined) throw new DynamisError('NOT_OPEN', 'storage engine is not open');
    return db;
  }
}
