import type { FileSystem } from '@dynamis/core';
import type { TableProperties } from '../sstable/properties';
import { TableBuilder, type TableBuilderOptions } from '../sstable/TableBuilder';
import type { EntryKind } from '../util/internalKey';
import { tableFileName } from '../version/fileNames';
import { FileMeta } from '../version/FileMeta';

/**
 * The output tables of one flush or compaction: opens a TableBuilder on the
 * first entry, cuts a new file once the current one reaches `targetBytes`
 * (Infinity: one file), and turns finished tables into FileMeta. Entries
 * must come in strictly increasing internal order. Call `finish()` (all
 * files and their names durable) or `abandon()` (every file it made
 * removed) exactly once.
 *
 * A cut table's fsync runs while the next table fills (it is awaited by
 * finish), so a merge never sits idle waiting for the disk; a failure of
 * that fsync makes the next add (or finish) throw it.
 */
export class TableOutputs {
  /** Bytes of the finished tables (complete once finish() resolved). */
  bytesWritten = 0;
  private builder: TableBuilder | undefined = undefined;
  private builderNumber = 0;
  private readonly made: number[] = [];
  /** Cut tables, in order, settling once durable. */
  private readonly finishing: Promise<FileMeta>[] = [];
  private failure: unknown = undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly newFileNumber: () => number,
    private readonly options: TableBuilderOptions,
    private readonly targetBytes: number,
  ) {}

  /** Adds an entry (copied); throws INVALID_ARGUMENT on disorder, IO_ERROR on a failed write or fsync. */
  add(key: Uint8Array, seq: number, kind: EntryKind, value: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    let b = this.builder;
    if (b === undefined) {
      this.builderNumber = this.newFileNumber();
      this.made.push(this.builderNumber);
      b = new TableBuilder(this.fs.create(tableFileName(this.dir, this.builderNumber)), this.options);
      this.builder = b;
    }
    b.add(key, seq, kind, value);
  }

  /** True when the open table has reached the target size (cut it before the next key). */
  get full(): boolean {
    return this.builder !== undefined && this.builder.fileSize >= this.targetBytes;
  }

  /**
   * Finishes the open table, if any: writes its last blocks now and lets its
   * fsync run on (finish() waits for it). Throws a failure seen so far.
   */
  async cut(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const b = this.builder;
    if (b === undefined) return;
    this.builder = undefined;
    const number = this.builderNumber;
    const done = b.finish().then((props) => {
      this.bytesWritten += props.fileSize;
      return metaOf(number, props);
    });
    done.catch((err: unknown) => (this.failure ??= err));
    this.finishing.push(done);
  }

  /**
   * Finishes the last table; resolves, once every table and the directory
   * entries naming them are durable (the directory's fsync runs alongside
   * the last table's), to every output file in order.
   */
  async finish(): Promise<FileMeta[]> {
    await this.cut();
    if (this.made.length === 0) return [];
    const [files] = await Promise.all([Promise.all(this.finishing), this.fs.syncDir(this.dir)]);
    return files;
  }

  /** Stops and removes every file made. Never rejects. */
  async abandon(): Promise<void> {
    const b = this.builder;
    this.builder = undefined;
    if (b !== undefined) await b.abandon().catch(() => undefined);
    await Promise.allSettled(this.finishing);
    for (const n of this.made) {
      try {
        this.fs.remove(tableFileName(this.dir, n));
      } catch {
        // Left behind, it is an orphan: the next open removes it.
      }
    }
  }
}

/** The manifest record of a finished table. */
export function metaOf(number: number, p: TableProperties): FileMeta {
  return new FileMeta(
    number,
    p.fileSize,
    p.entryCount,
    p.deletionCount,
    p.rawKeyBytes + p.rawValueBytes,
    p.minSeq,
    p.maxSeq,
    p.smallest.key,
    p.largest.key,
  );
}
