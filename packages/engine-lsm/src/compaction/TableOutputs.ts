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
 * files durable, names not yet: syncDir is the caller's) or `abandon()`
 * (every file it made removed) exactly once.
 */
export class TableOutputs {
  readonly files: FileMeta[] = [];
  /** Bytes of the finished tables. */
  bytesWritten = 0;
  private builder: TableBuilder | undefined = undefined;
  private builderNumber = 0;
  private readonly made: number[] = [];

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly newFileNumber: () => number,
    private readonly options: TableBuilderOptions,
    private readonly targetBytes: number,
  ) {}

  /** Adds an entry (copied); throws INVALID_ARGUMENT on disorder, IO_ERROR on a failed write. */
  add(key: Uint8Array, seq: number, kind: EntryKind, value: Uint8Array): void {
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

  /** Finishes the open table, if any (durable, closed). */
  async cut(): Promise<void> {
    const b = this.builder;
    if (b === undefined) return;
    this.builder = undefined;
    const props = await b.finish();
    this.files.push(metaOf(this.builderNumber, props));
    this.bytesWritten += props.fileSize;
  }

  /** Finishes the last table; resolves to every output file in order. */
  async finish(): Promise<FileMeta[]> {
    await this.cut();
    return this.files;
  }

  /** Stops and removes every file made. Never rejects. */
  async abandon(): Promise<void> {
    const b = this.builder;
    this.builder = undefined;
    if (b !== undefined) await b.abandon().catch(() => undefined);
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
