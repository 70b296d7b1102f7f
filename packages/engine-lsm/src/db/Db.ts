import type { Clock, CompactionFilter, FileSystem, IteratorSpec, Logger, RangeBounds } from '@dynamis/core';
import { isDynamisError, isEmptyRange } from '@dynamis/core';
import { fencedError, fenceMeeting, fenceOf, type Damage } from '../damage/Damage';
import { parseFileName } from '../version/fileNames';
import { VersionEdit } from '../version/VersionEdit';
import type { CompactionStrategy } from '../compaction/CompactionStrategy';
import { DbIterator } from '../iterator/DbIterator';
import { LevelIterator } from '../iterator/LevelIterator';
import { MergingIterator } from '../iterator/MergingIterator';
import type { MemtableLookup } from '../memtable/Memtable';
import type { ResolvedLsmOptions } from '../options';
import type { TableLookup } from '../sstable/TableReader';
import { coveringSeq, RangeDelSet } from '../rangedel/RangeTombstone';
import { compareRange, KIND_VALUE, MAX_SEQ } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import { fileContains, type FileMeta } from '../version/FileMeta';
import type { VersionSet } from '../version/VersionSet';
import { Background } from './Background';
import { DbCounters } from './DbCounters';
import type { GroupCommitHooks } from './GroupCommit';
import { keyHash } from './MemtableFilter';
import { LsmSnapshot } from './LsmSnapshot';
import type { PurgeLogData } from '../compaction/PurgeLog';
import { Scrubber } from './Scrubber';
import type { MemtableSlot } from './MemtableSlot';
import { Signal } from './Signal';
import type { TableCache } from './TableCache';
import type { WalFile } from './WalFile';
import { WritePath } from './WritePath';

/** The collaborators of an open database. */
export interface DbEnv {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly options: ResolvedLsmOptions;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** The compaction filter currently installed on the engine. */
  readonly filter: () => CompactionFilter | undefined;
  /** Reports a compaction's purges to the engine's purge listener; called only once they are committed. */
  readonly purged: (log: PurgeLogData) => void;
  /** Reports a new fence to the engine's damage listener; called once it is durable in the manifest. */
  readonly damaged?: (damage: Damage) => void;
}

/** Foreground operations between two event-loop turns granted to busy background work (see Db.shouldYield). */
export const FOREGROUND_YIELD_EVERY = 64;

/** Resolvers of afterTurn promises waiting for the next turn, settled together. */
let parked: (() => void)[] = [];

function releaseParked(): void {
  const batch = parked;
  parked = [];
  for (const release of batch) release();
}

/**
 * A promise of `value` that settles after one turn of the event loop
 * (setImmediate). Every such promise made before that turn settles in the
 * same one, so concurrent callers that were held back resume together (and
 * their next writes share a WAL append) instead of one per turn.
 */
export function afterTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => {
    if (parked.length === 0) setImmediate(releaseParked);
    parked.push(() => resolve(value));
  });
}

/**
 * One open database: the memtables, the WAL, the VersionSet and the table
 * cache, with the read path (get, iterators) here, the write path in
 * WritePath and flushes and compactions in Background. Created by openDb;
 * dropped after close(). Single-threaded (the event loop): every method
 * runs to completion or to an explicit await.
 */
export class Db {
  /** Notified after every flush, compaction and background failure. */
  readonly changed = new Signal();
  readonly writes: WritePath;
  readonly background: Background;
  /** The background scrub of table checksums (README, "Scrub"). */
  readonly scrubber: Scrubber;
  /** Frozen memtables waiting for flush, oldest first. */
  readonly imm: MemtableSlot[] = [];
  /** The first background or WAL failure; writes reject with it from then on. */
  bgError: Error | undefined = undefined;
  closing = false;
  private sinceYield = 0;

  constructor(
    readonly env: DbEnv,
    readonly versions: VersionSet,
    readonly tables: TableCache,
    readonly strategy: CompactionStrategy,
    public mem: MemtableSlot,
    public wal: WalFile,
    private readonly lockRelease: () => void,
    readonly counters: DbCounters = new DbCounters(),
    /** Observers of every WAL's fsyncs: counted, and a failure stops writes (see fail). */
    readonly walHooks: GroupCommitHooks = { stats: counters, onFailure: (err) => this.fail(err) },
    /** Tables quarantined (or being quarantined): when dropped, their files move to quarantine/ (openDb's dropTable). */
    readonly quarantined: Set<number> = new Set(),
  ) {
    this.writes = new WritePath(this);
    this.background = new Background(this);
    this.scrubber = new Scrubber(this);
  }

  /**
   * Fairness for background work. A caller that awaits one call at a time
   * never leaves the microtask queue when every call completes
   * synchronously, so flushes and compactions (which wait for setImmediate
   * turns and I/O callbacks, or for the worker thread's messages) would
   * starve until writes stall. While background work is under way, the
   * call that completes each FOREGROUND_YIELD_EVERY operations (a batch of
   * n ops counts n: `ops`) therefore resolves one macrotask later (its
   * effect is applied at once; only the promise settles later), and so does
   * every call made before that turn comes: they all resume in the same
   * turn, and concurrent writers keep sharing their WAL appends. True when
   * this call should do so.
   */
  shouldYield(ops = 1): boolean {
    if (!this.background.busy) return false;
    if (parked.length > 0) return true; // a turn is due: join it, so callers resume together
    if ((this.sinceYield += ops) < FOREGROUND_YIELD_EVERY) return false;
    this.sinceYield = 0;
    return true;
  }

  /** Files in level 0 now (the stall triggers count these). */
  get l0Files(): number {
    return this.versions.current.levels[0]!.length;
  }

  /** Records the first background failure, wakes waiters and logs it. */
  fail(err: unknown): void {
    if (this.bgError !== undefined) return;
    this.bgError = err instanceof Error ? err : new Error(String(err));
    this.env.logger?.error('engine-lsm background failure; writes now fail', { error: this.bgError.message });
    this.changed.notify();
  }

  /**
   * If `err` is CORRUPTION naming a table of the current version, sets that
   * table aside (see quarantine) and returns the promise of it; undefined
   * for any other error. Never throws; the promise never rejects.
   */
  noteCorruption(err: unknown): Promise<void> | undefined {
    if (!isDynamisError(err, 'CORRUPTION') || err.details?.['damaged'] === true) return undefined;
    const file = err.details?.['file'];
    if (typeof file !== 'string' || !file.startsWith(`${this.env.dir}/`)) return undefined;
    const parsed = parseFileName(file.slice(this.env.dir.length + 1));
    if (parsed?.kind !== 'table' || this.quarantined.has(parsed.number)) return undefined;
    return this.quarantine(parsed.number, err.message);
  }

  /**
   * Quarantines table `number` (README, "Damaged tables"): one manifest edit
   * removes it from the version and fences its key range; its file moves to
   * quarantine/ once no reader holds it; the damage listener is told. A
   * table no longer live (compacted away meanwhile) is left alone. A
   * manifest failure is a background failure (Db.fail).
   */
  private async quarantine(number: number, reason: string): Promise<void> {
    const version = this.versions.current;
    const level = version.levels.findIndex((files) => files.some((f) => f.number === number));
    if (level < 0 || this.closing) return;
    const meta = version.levels[level]!.find((f) => f.number === number)!;
    this.quarantined.add(number);
    const damage: Damage = { file: number, gte: meta.smallest, lte: meta.largest, reason };
    const edit = new VersionEdit();
    edit.deleteFile(level, number);
    edit.addedDamage.push(damage);
    try {
      await this.versions.logAndApply(edit);
    } catch (err) {
      if (this.versions.liveFiles().has(number)) this.fail(err);
      this.quarantined.delete(number);
      return;
    }
    this.counters.quarantinedTables++;
    this.env.logger?.error('engine-lsm table damaged: quarantined, its key range fenced until deleted', {
      file: number,
      level,
      reason,
      gte: Buffer.from(meta.smallest).toString('hex'),
      lte: Buffer.from(meta.largest).toString('hex'),
    });
    this.env.damaged?.(damage);
    this.changed.notify();
    this.background.schedule();
  }

  /**
   * Lifts the fences `cleared` (their ranges were deleted durably), in one
   * manifest edit; fences already lifted are skipped. Rejects IO_ERROR.
   */
  async liftFences(cleared: readonly Damage[]): Promise<void> {
    const live = new Set(this.versions.current.damaged.map((d) => d.file));
    const edit = new VersionEdit();
    for (const d of cleared) if (live.has(d.file)) edit.clearedDamage.push(d.file);
    if (edit.clearedDamage.length === 0) return;
    await this.versions.logAndApply(edit);
    this.env.logger?.info('engine-lsm damaged range deleted: fence lifted', { files: edit.clearedDamage });
  }

  /** The newest value of `key`, or undefined (missing or deleted). Synchronous; throws CORRUPTION. */
  get(key: Uint8Array): Uint8Array | undefined {
    this.counters.gets++;
    const fences = this.versions.current.damaged;
    if (fences.length > 0) this.checkFence(fences, key);
    const hash = keyHash(key);
    const mem = this.mem;
    let r: MemtableLookup | TableLookup | undefined = mem.filter.mayContain(hash) ? mem.mem.get(key) : undefined;
    if (r === undefined) {
      const imm = this.imm;
      for (let i = imm.length - 1; i >= 0 && r === undefined; i--) {
        const slot = imm[i]!;
        if (slot.filter.mayContain(hash)) r = slot.mem.get(key);
      }
      if (r === undefined) r = this.getFromTables(key);
    }
    if (r === undefined || r.kind !== KIND_VALUE) return undefined;
    return this.rangeDeletedNow(key, r.seq) ? undefined : r.value;
  }

  /** True when a range tombstone of the live memtables or current version deletes entry (`key`, `seq`). */
  private rangeDeletedNow(key: Uint8Array, seq: number): boolean {
    let cover = coveringSeq(this.mem.mem.rangeDels, key, MAX_SEQ, seq);
    const imm = this.imm;
    for (let i = 0; i < imm.length; i++) cover = coveringSeq(imm[i]!.mem.rangeDels, key, MAX_SEQ, cover);
    return coveringSeq(this.versions.current.rangeDels, key, MAX_SEQ, cover) > seq;
  }

  /** The value of `key` in `snap` (not released), or undefined. Synchronous; throws CORRUPTION. */
  getAt(key: Uint8Array, snap: LsmSnapshot): Uint8Array | undefined {
    this.counters.gets++;
    const fences = snap.version.damaged;
    if (fences.length > 0) this.checkFence(fences, key);
    const hash = keyHash(key);
    const seq = snap.seq;
    const mems = snap.mems;
    let r: MemtableLookup | TableLookup | undefined = undefined;
    for (let i = 0; i < mems.length && r === undefined; i++) {
      const slot = mems[i]!;
      if (slot.filter.mayContain(hash)) r = slot.mem.get(key, seq);
    }
    if (r === undefined) r = this.getFromTables(key, snap.version.levels, seq);
    if (r === undefined || r.kind !== KIND_VALUE) return undefined;
    let cover = coveringSeq(snap.version.rangeDels, key, seq, r.seq);
    for (let i = 0; i < mems.length; i++) cover = coveringSeq(mems[i]!.mem.rangeDels, key, seq, cover);
    return cover > r.seq ? undefined : r.value;
  }

  /** Throws the fenced CORRUPTION when a fence of `fences` holds `key`. */
  private checkFence(fences: readonly Damage[], key: Uint8Array): void {
    const d = fenceOf(fences, key);
    if (d !== undefined) throw fencedError(this.env.dir, d);
  }

  /** A snapshot of the current state (see LsmSnapshot). */
  snapshot(): LsmSnapshot {
    const mems: MemtableSlot[] = [this.mem];
    for (let i = this.imm.length - 1; i >= 0; i--) mems.push(this.imm[i]!);
    const versions = this.versions;
    return new LsmSnapshot(versions.lastSequence, mems, versions.acquire(), (v) => versions.release(v));
  }

  /**
   * L0 newest first, then at most one file per sorted level; the first entry
   * with seq <= `seq` found decides.
   */
  private getFromTables(key: Uint8Array, levels = this.versions.current.levels, seq = Infinity): TableLookup | undefined {
    const tables = this.tables;
    const l0 = levels[0]!;
    for (let i = 0; i < l0.length; i++) {
      const f = l0[i]!;
      if (!fileContains(f, key)) continue;
      this.counters.tablesProbed++;
      const r = tables.get(f).get(key, seq);
      if (r !== undefined) return r;
    }
    for (let level = 1; level < levels.length; level++) {
      const f = findInLevel(levels[level]!, key);
      if (f === undefined) continue;
      this.counters.tablesProbed++;
      const r = tables.get(f).get(key, seq);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /**
   * An iterator (see DbIterator) over `spec.snapshot` (not released), or
   * over a snapshot taken now; pins the memtables and the version (its own
   * hold) until it ends.
   */
  iterator(spec: IteratorSpec): DbIterator {
    const snap = spec.snapshot as LsmSnapshot | undefined;
    const snapshot = snap === undefined ? this.versions.lastSequence : snap.seq;
    if (isEmptyRange(spec)) return new DbIterator(new MergingIterator([]), snapshot, spec, undefined);
    const version = snap === undefined ? this.versions.acquire() : this.versions.hold(snap.version);
    const tables = this.tables;
    const open = (f: FileMeta): InternalIterator => tables.get(f).iterator();
    const children: InternalIterator[] = [];
    if (snap === undefined) {
      children.push(this.mem.mem.iterator());
      for (let i = this.imm.length - 1; i >= 0; i--) children.push(this.imm[i]!.mem.iterator());
    } else {
      for (const slot of snap.mems) children.push(slot.mem.iterator());
    }
    for (const f of version.files(0)) children.push(new LevelIterator([f], open));
    for (let level = 1; level < version.levelCount; level++) {
      const files = version.files(level);
      if (files.length > 0) children.push(new LevelIterator(files, open));
    }
    const versions = this.versions;
    const sources = [version.rangeDels];
    for (const slot of snap === undefined ? [this.mem, ...this.imm] : snap.mems) sources.push(slot.mem.rangeDels);
    const rangeDels = new RangeDelSet(sources, snapshot);
    const release = (): void => versions.release(version);
    const fence = version.damaged.length === 0 ? undefined : fenceMeeting(version.damaged, spec);
    return new DbIterator(new MergingIterator(children), snapshot, spec, release, rangeDels.empty ? undefined : rangeDels, {
      fenced: fence === undefined ? undefined : fencedError(this.env.dir, fence),
      onError: (err) => void this.noteCorruption(err),
    });
  }

  /** See Background.compactRange. */
  compactRange(bounds: RangeBounds): Promise<void> {
    return this.background.compactRange(bounds);
  }

  /**
   * Stops background work (a running compaction stops at its next yield, a scrub pass at its next block),
   * syncs and closes the WAL, closes the manifest and every table, releases
   * the lock. Releases everything even when a step fails; rejects with the
   * first failure.
   */
  async close(): Promise<void> {
    this.closing = true;
    let failure: unknown = undefined;
    const step = async (fn: () => Promise<void> | void): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        failure ??= err;
      }
    };
    await step(() => this.scrubber.stop());
    await step(() => this.writes.stop());
    await step(() => this.background.stop());
    await step(() => this.wal.retire());
    await step(() => this.versions.close());
    await step(() => this.tables.closeAll());
    await step(() => this.lockRelease());
    this.changed.notify();
    if (failure !== undefined) throw failure;
  }
}

/** The file of a sorted level whose range holds `key`, or undefined. Binary search, no allocation. */
function findInLevel(files: readonly FileMeta[], key: Uint8Array): FileMeta | undefined {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const l = files[mid]!.largest;
    if (compareRange(l, 0, l.length, key, 0, key.length) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= files.length) return undefined;
  const f = files[lo]!;
  const s = f.smallest;
  return compareRange(s, 0, s.length, key, 0, key.length) <= 0 ? f : undefined;
}
