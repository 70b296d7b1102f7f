import { NodeFileSystem, type CompactionFilter, type PortableCompactionFilter } from '@dynamis/core';
import { jobFiles, type CompactionJob } from '../compaction/CompactionStrategy';
import { openCompactionInput } from '../compaction/ReadaheadFile';
import { mergeSpecOf, runCompaction, watchFilter, type CompactionContext, type CompactionResult } from '../compaction/runCompaction';
import type { Memtable } from '../memtable/Memtable';
import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import { BackgroundWorker, FilterUnavailable, WorkerUnavailable } from '../worker/BackgroundWorker';
import { specToData } from '../worker/protocol';
import type { Db } from './Db';
import { flushMemtable } from './flushMemtable';

/** A compaction filter and whether it threw (so a caller can tell a broken filter from other failures). */
export interface WatchedFilter {
  readonly filter: CompactionFilter | undefined;
  threw: boolean;
}

/**
 * Where the table building of flushes and compactions runs. With
 * `compaction.backgroundThread` on the real file system (NodeFileSystem),
 * a compaction's merge runs on a BackgroundWorker thread: the job sends its
 * input files and the key ranges its deletion-marker rule needs, and the
 * worker reads the inputs, writes and fsyncs the outputs. Otherwise, and
 * for a compaction whose filter is not portable, it runs inline on the
 * event loop, as flushes always do. Either way the result (durable tables
 * with durable names, or the same failure) is the same, and the caller
 * installs it (the manifest edit) on the main thread. Obsolete files are
 * deleted on the thread too (`remove`).
 */
export class JobRunner {
  private worker: BackgroundWorker | undefined;
  private loggedInlineFilter = false;

  constructor(private readonly db: Db) {
    const { fs, options, clock, logger } = db.env;
    const threaded = options.compaction.backgroundThread && fs instanceof NodeFileSystem;
    this.worker = threaded ? new BackgroundWorker({ newFileNumber: () => db.versions.newFileNumber(), clock, logger }) : undefined;
  }

  /**
   * See flushMemtable: always inline. (Measured on 2 cores: building the
   * level-0 table on the thread, from a copy of the memtable's entries, did
   * not pay while the thread was busy merging; see the README.)
   */
  flush(mem: Memtable): Promise<FileMeta | undefined> {
    return flushMemtable(mem, this.context(undefined));
  }

  /** See runCompaction (`version` held by the caller). Counts workerCompactions when the worker ran the merge. */
  async compact(job: CompactionJob, version: Version, watched: WatchedFilter): Promise<CompactionResult> {
    const worker = this.worker;
    const filter = watched.filter;
    const portable = worker === undefined || filter === undefined ? undefined : this.portableOf(filter);
    if (worker !== undefined && (filter === undefined || portable !== undefined)) {
      try {
        const result = await worker.compact(
          {
            dir: this.db.env.dir,
            spec: specToData(mergeSpecOf(job, version)),
            builderOptions: this.builderOptions(),
            targetFileBytes: this.db.env.options.compaction.targetFileBytes,
            numbers: [this.db.versions.newFileNumber()],
            filter: portable,
            purgeLogBytes: this.db.env.options.compaction.purgeReportBytes,
          },
          watched,
        );
        this.db.counters.workerCompactions++;
        return result;
      } catch (err) {
        if (err instanceof WorkerUnavailable) this.disableWorker(err);
        else if (err instanceof FilterUnavailable) {
          this.db.env.logger?.warn('engine-lsm could not build the portable compaction filter in the worker; compacting inline', {
            error: err.message,
            inputs: jobFiles(job).length,
          });
        } else throw err;
      }
    }
    return runCompaction(job, version, this.context(watched));
  }

  /** Has the worker delete `path` (true), or false when there is no worker thread up to do it. */
  remove(path: string): boolean {
    return this.worker?.remove(path) ?? false;
  }

  /** Stops the worker, if any (its running jobs reject with CompactionAborted). */
  async stop(): Promise<void> {
    await this.worker?.stop();
  }

  /** The inline context; `watched` wraps the filter so a throw is recorded. */
  context(watched: WatchedFilter | undefined): CompactionContext {
    const db = this.db;
    const { fs, dir, options } = db.env;
    const filter = watched?.filter;
    return {
      fs,
      dir,
      openTable: (f) => openCompactionInput(fs, dir, f),
      builderOptions: this.builderOptions(),
      targetFileBytes: options.compaction.targetFileBytes,
      newFileNumber: () => db.versions.newFileNumber(),
      filter: filter === undefined || watched === undefined ? undefined : watchFilter(filter, watched),
      purgeLogBytes: options.compaction.purgeReportBytes,
      shouldStop: () => db.closing,
    };
  }

  private builderOptions(): { blockSize: number; bloomBitsPerKey: number } {
    const { options } = this.db.env;
    return { blockSize: options.blockBytes, bloomBitsPerKey: options.bloomBitsPerKey };
  }

  /** The filter's portable spec, sampled now (job start); undefined (logged once) when it has none. */
  private portableOf(filter: CompactionFilter): PortableCompactionFilter | undefined {
    let spec: PortableCompactionFilter | undefined;
    try {
      spec = filter.portable?.();
    } catch (err) {
      this.db.env.logger?.warn('engine-lsm compaction filter portable() threw; compacting inline', { error: String(err) });
      return undefined;
    }
    if (spec === undefined && !this.loggedInlineFilter) {
      this.loggedInlineFilter = true;
      this.db.env.logger?.debug('engine-lsm compaction filter is not portable; its compactions run on the main thread');
    }
    return spec;
  }

  private disableWorker(err: Error): void {
    this.worker = undefined;
    this.db.env.logger?.warn('engine-lsm background worker unavailable; flushes and compactions run inline', { error: err.message });
  }
}
