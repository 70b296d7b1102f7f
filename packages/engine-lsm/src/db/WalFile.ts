import type { FileSystem } from '@dynamis/core';
import type { WriteOp } from '../wal/writeBatch';
import { logFileName } from '../version/fileNames';
import { WalWriter } from '../wal/WalWriter';
import { WriteBatchBuilder } from '../wal/writeBatch';
import { GroupCommit, type GroupCommitHooks } from './GroupCommit';

/**
 * One WAL file being written (docs/format.md, "WAL" and "Write batch"):
 * each write batch becomes one record, appended with one synchronous write
 * by the WalWriter, and a GroupCommit shares its fsyncs. Its fsyncs first
 * wait for the previous WAL's last fsync and for this file's directory
 * entry to be durable, so "synced" always means "this record and every
 * earlier one survive a machine crash".
 */
export class WalFile {
  readonly group: GroupCommit;
  private readonly batch = new WriteBatchBuilder();
  private retired: Promise<void> | undefined = undefined;

  private constructor(
    readonly number: number,
    private readonly writer: WalWriter,
    before: Promise<void>,
    hooks: GroupCommitHooks,
  ) {
    this.group = new GroupCommit(async () => {
      await before;
      await writer.sync();
    }, hooks);
  }

  /**
   * Creates WAL `number` in `dir` (throws IO_ERROR). `previous`, the WAL it
   * replaces, is retired (synced and closed); syncs of the new one wait for
   * that. `hooks` observe its fsyncs (count, failures).
   */
  static create(fs: FileSystem, dir: string, number: number, previous: WalFile | undefined, hooks: GroupCommitHooks = {}): WalFile {
    const writer = new WalWriter(fs.create(logFileName(dir, number)));
    const dirSynced = fs.syncDir(dir);
    const prior = previous === undefined ? dirSynced : Promise.all([dirSynced, previous.retire()]).then(() => undefined);
    prior.catch(() => undefined); // observed by the first sync(), which rejects with it
    return new WalFile(number, writer, prior, hooks);
  }

  /** Bytes of the file so far. */
  get size(): number {
    return this.writer.size;
  }

  /**
   * Appends `ops` as one write batch record with sequence numbers
   * seq, seq + 1, ... (one write(2)). Returns the bytes appended. Throws
   * IO_ERROR; the WAL is then unusable (every later append rethrows).
   */
  append(seq: number, ops: readonly WriteOp[]): number {
    const batch = this.batch;
    batch.reset();
    batch.addOps(ops);
    batch.setBaseSeq(seq);
    const before = this.writer.size;
    this.writer.addRecord(batch.payload());
    this.group.markDirty();
    return this.writer.size - before;
  }

  /**
   * Appends each ops list of `batches` as its own write batch record (the
   * first with sequence numbers from `seq`, the next continuing after it),
   * all with ONE write(2). Returns the bytes appended. Throws as `append`.
   */
  appendMany(seq: number, batches: readonly (readonly WriteOp[])[]): number {
    const batch = this.batch;
    const before = this.writer.size;
    for (let i = 0; i < batches.length; i++) {
      const ops = batches[i]!;
      batch.reset();
      batch.addOps(ops);
      batch.setBaseSeq(seq);
      this.writer.encodeRecord(batch.payload());
      seq += ops.length;
    }
    this.writer.flush();
    this.group.markDirty();
    return this.writer.size - before;
  }

  /** Syncs what is unsynced, then closes the file. Idempotent (one shared promise). */
  retire(): Promise<void> {
    this.retired ??= this.finish();
    return this.retired;
  }

  private async finish(): Promise<void> {
    try {
      await this.group.idle();
      if (this.group.isDirty) await this.group.sync();
    } finally {
      await this.writer.close();
    }
  }
}
