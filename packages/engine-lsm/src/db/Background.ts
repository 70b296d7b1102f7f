import type { RangeBounds } from '@dynamis/core';
import { jobFiles, type CompactionJob } from '../compaction/CompactionStrategy';
import { maxTombstoneSeq } from '../rangedel/RangeTombstone';
import { planRangeCompaction } from '../compaction/rangeCompaction';
import { CompactionAborted } from '../compaction/runCompaction';
import { logFileName, tableFileName } from '../version/fileNames';
import { withRangeDelSeq } from '../version/FileMeta';
import type { Version } from '../version/Version';
import { VersionEdit } from '../version/VersionEdit';
import type { Db } from './Db';
import { JobRunner, type WatchedFilter } from './JobRunner';

/**
 * Background work of one database: a flush loop (frozen memtables to L0
 * tables, oldest first) and a compaction loop (jobs picked by the strategy,
 * one at a time), running alongside each other and the foreground calls.
 * The loops plan the work and install its results (the manifest edit) on
 * the event loop; a compaction's merge runs where the JobRunner puts it
 * (on the background worker thread, or inline), flushes inline; inline
 * work yields regularly so foreground reads and writes keep flowing.
 * Obsolete files are deleted by the worker thread when it runs. Manual
 * compactRange takes the same compaction slot. A failure of either loop is
 * sticky (Db.fail): writes reject from then on; reads go on.
 */
export class Background {
  private flushing: Promise<void> | undefined = undefined;
  private compacting: Promise<void> | undefined = undefined;
  /** The compaction slot: background jobs and compactRange take turns. */
  private slot: Promise<void> = Promise.resolve();
  private manualWaiting = 0;
  /** The range tombstone collection under way (see dropObsoleteRangeDels). */
  private collecting: Promise<void> | undefined = undefined;
  private collectAgain = false;
  private readonly runner: JobRunner;

  constructor(private readonly db: Db) {
    this.runner = new JobRunner(db);
  }

  /** True while a flush or compaction is under way (and wants turns of the event loop). */
  get busy(): boolean {
    return this.flushing !== undefined || this.compacting !== undefined || this.manualWaiting > 0;
  }

  /** Starts the loops that have work. Cheap; call after anything that may create work. */
  schedule(): void {
    const db = this.db;
    if (db.closing || db.bgError !== undefined) return;
    if (this.flushing === undefined && db.imm.length > 0) this.flushing = this.flushLoop();
    if (this.compacting === undefined && this.manualWaiting === 0 && this.pick() !== undefined) {
      this.compacting = this.compactionLoop();
    }
  }

  /**
   * Waits for both loops to stop (the engine is closing: they stop at their
   * next yield; a job on the worker thread is told to stop, and the thread
   * ends).
   */
  async stop(): Promise<void> {
    await this.runner.stop();
    await this.flushing;
    await this.compacting;
    await this.slot;
  }

  /**
   * Deletes an obsolete file (a flushed WAL, a dropped table): on the
   * worker thread when it runs (an unlink of a large file takes ms), else
   * now. A deletion that fails or never happens (crash, close) leaves an
   * orphan that the next open removes. Throws IO_ERROR only when inline.
   */
  removeFile(path: string): void {
    if (!this.runner.remove(path)) this.db.env.fs.remove(path);
  }

  /**
   * Freezes the active memtable and waits for every memtable to be flushed,
   * then merges every table holding keys in `bounds` into the last level,
   * running the compaction filter on each live entry (see
   * planRangeCompaction). Rejects with the filter's error (nothing changed),
   * or a background failure.
   */
  async compactRange(bounds: RangeBounds): Promise<void> {
    const db = this.db;
    await db.writes.freeze();
    const target = db.mem.logNumber;
    while (db.versions.logNumber < target) {
      if (db.bgError !== undefined) throw db.bgError;
      this.schedule();
      await db.changed.wait();
    }
    this.manualWaiting++;
    try {
      await this.takeSlot(async () => {
        const version = db.versions.acquire();
        try {
          const job = planRangeCompaction(version, bounds.lower, bounds.upper);
          if (job !== undefined) await this.execute(job, version, { filter: db.env.filter(), threw: false });
        } finally {
          db.versions.release(version);
        }
      });
    } finally {
      this.manualWaiting--;
    }
    this.schedule();
  }

  private pick(): CompactionJob | undefined {
    const versions = this.db.versions;
    return this.db.strategy.pick(versions.current, { compactPointers: versions.compactPointers });
  }

  private async flushLoop(): Promise<void> {
    const db = this.db;
    try {
      while (db.imm.length > 0 && !db.closing && db.bgError === undefined) await this.flushOldest();
    } catch (err) {
      if (!(err instanceof CompactionAborted)) db.fail(err);
    } finally {
      this.flushing = undefined;
    }
    this.schedule();
  }

  private async flushOldest(): Promise<void> {
    const db = this.db;
    const { dir, logger } = db.env;
    const slot = db.imm[0]!;
    const meta = await this.runner.flush(slot.mem); // durable, named
    const edit = new VersionEdit();
    edit.logNumber = (db.imm[1] ?? db.mem).logNumber;
    if (meta !== undefined) edit.addFile(0, meta);
    edit.addedRangeDels.push(...slot.mem.rangeDels); // with the table, in one record: the WAL goes after
    await db.versions.logAndApply(edit);
    db.imm.shift();
    await this.dropObsoleteRangeDels();
    this.removeFile(logFileName(dir, slot.logNumber));
    db.counters.flushes++;
    db.counters.flushBytes += meta?.size ?? 0;
    logger?.debug('engine-lsm flush', { file: meta?.number, bytes: meta?.size, entries: meta?.entries });
    db.changed.notify();
  }

  private async compactionLoop(): Promise<void> {
    const db = this.db;
    try {
      while (!db.closing && db.bgError === undefined && this.manualWaiting === 0) {
        let ran: boolean;
        try {
          ran = await this.takeSlot(() => this.compactOnce());
        } catch (err) {
          // A damaged input table: quarantine it (README, "Damaged tables") and plan again without it.
          const quarantine = db.noteCorruption(err);
          if (quarantine === undefined) throw err;
          await quarantine;
          continue;
        }
        if (!ran) break;
      }
    } catch (err) {
      if (!(err instanceof CompactionAborted)) db.fail(err);
    } finally {
      this.compacting = undefined;
    }
    this.schedule();
  }

  /** Runs the job the strategy picks now; false when there is none. */
  private async compactOnce(): Promise<boolean> {
    const db = this.db;
    const version = db.versions.acquire();
    try {
      const job = db.strategy.pick(version, { compactPointers: db.versions.compactPointers });
      if (job === undefined || db.closing) return false;
      const watched: WatchedFilter = { filter: db.env.filter(), threw: false };
      try {
        await this.execute(job, version, watched);
      } catch (err) {
        if (!watched.threw) throw err;
        db.counters.filterFailures++;
        db.env.logger?.warn('engine-lsm compaction filter threw; compacting without it', { error: String(err) });
        await this.execute(job, version, { filter: undefined, threw: false });
      }
      return true;
    } finally {
      db.versions.release(version);
    }
  }

  /** Runs `job` over `version` (held by the caller) and installs its result. */
  private async execute(job: CompactionJob, version: Version, watched: WatchedFilter): Promise<void> {
    const db = this.db;
    const edit = new VersionEdit();
    for (const input of job.inputs) for (const f of input.files) edit.deleteFile(input.level, f.number);
    if (job.compactPointer !== undefined) edit.compactPointers.push(job.compactPointer);
    if (jobFiles(job).some((f) => db.quarantined.has(f.number))) return; // an input was quarantined meanwhile
    if (job.trivialMove === true) {
      const input = job.inputs.find((i) => i.files.length > 0)!;
      edit.addFile(job.outputLevel, input.files[0]!);
      await db.versions.logAndApply(edit);
      db.counters.trivialMoves++;
    } else {
      const result = await this.runner.compact(job, version, watched); // outputs durable, named
      if (jobFiles(job).some((f) => db.quarantined.has(f.number))) {
        // An input was quarantined while the merge ran (a read found it damaged): its key range is fenced and
        // the version no longer lists it, so this result cannot be installed. Its outputs are orphans.
        for (const f of result.outputs) this.removeFile(tableFileName(db.env.dir, f.number));
        return;
      }
      const rangeDelSeq = compactionRangeDelSeq(job, version);
      for (const f of result.outputs) edit.addFile(job.outputLevel, withRangeDelSeq(f, rangeDelSeq));
      await db.versions.logAndApply(edit);
      db.env.purged(result.purged); // committed: only now are its purges durable
      await this.dropObsoleteRangeDels();
      const c = db.counters;
      c.compactions++;
      c.compactionBytesRead += result.bytesRead;
      c.compactionBytesWritten += result.bytesWritten;
      c.filterRemoved += result.filterRemoved;
      c.filterReplaced += result.filterReplaced;
    }
    db.env.logger?.debug('engine-lsm compaction', { reason: job.reason, outputLevel: job.outputLevel });
    db.changed.notify();
  }

  /**
   * Drops from the manifest the range tombstones that no longer delete
   * anything (Version.obsoleteRangeDels), in one edit. Readers holding an
   * older Version (snapshots, iterators) keep theirs.
   */
  private dropObsoleteRangeDels(): Promise<void> {
    if (this.db.versions.current.rangeDels.length === 0) return Promise.resolve();
    if (this.collecting !== undefined) {
      this.collectAgain = true; // single flight: two edits must never drop the same tombstone
      return this.collecting;
    }
    const run = this.collectRangeDels().finally(() => (this.collecting = undefined));
    this.collecting = run;
    return run;
  }

  private async collectRangeDels(): Promise<void> {
    const db = this.db;
    do {
      this.collectAgain = false;
      const obsolete = db.versions.current.obsoleteRangeDels();
      if (obsolete.length === 0) continue;
      const edit = new VersionEdit();
      edit.droppedRangeDels.push(...obsolete);
      await db.versions.logAndApply(edit);
      db.counters.rangeDelsDropped += obsolete.length;
    } while (this.collectAgain);
  }

  private takeSlot<T>(task: () => Promise<T>): Promise<T> {
    const run = this.slot.then(task);
    this.slot = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

/**
 * The rangeDelSeq of a compaction's outputs: the merge applies every
 * tombstone of `version`, and a tombstone it does not hold with a seq up
 * to the inputs' own watermark was applied to them or dropped as clean
 * (docs/format.md, "Range deletions").
 */
function compactionRangeDelSeq(job: CompactionJob, version: Version): number {
  let seq = maxTombstoneSeq(version.rangeDels);
  for (const f of jobFiles(job)) if (f.rangeDelSeq > seq) seq = f.rangeDelSeq;
  return seq;
}
