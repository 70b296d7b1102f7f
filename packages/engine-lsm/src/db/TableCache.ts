import type { FileSystem } from '@dynamis/core';
import { BlockCache } from '../cache/BlockCache';
import type { Block } from '../sstable/Block';
import { TableReader } from '../sstable/TableReader';
import { tableFileName } from '../version/fileNames';
import type { FileMeta } from '../version/FileMeta';

/** A cache that keeps nothing (capacity 0): blocks read through it are not retained. */
const NO_CACHE = new BlockCache<Block>(0);

/**
 * The open TableReaders of one engine, by file number. A reader is opened on
 * first use and stays open until its file is dropped (`evict`, when no live
 * Version lists the file any more) or the engine closes. Also keeps the
 * Bloom counters of readers already closed, so totals survive compactions.
 */
export class TableCache {
  private readonly readers = new Map<number, TableReader>();
  private closedBloomSkips = 0;
  private closedFalsePositives = 0;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly blocks: BlockCache<Block>,
  ) {}

  /** The reader of `file`, opening it if needed. Throws CORRUPTION or IO_ERROR. */
  get(file: FileMeta): TableReader {
    const open = this.readers.get(file.number);
    if (open !== undefined) return open;
    const reader = TableReader.open(this.fs, tableFileName(this.dir, file.number), file.number, this.blocks);
    this.readers.set(file.number, reader);
    return reader;
  }

  /**
   * A separate reader of `file` whose blocks bypass the block cache (for
   * compactions, which read each block once and must not evict the blocks
   * foreground reads need). The caller closes it. Throws CORRUPTION or IO_ERROR.
   */
  openUncached(file: FileMeta): TableReader {
    return TableReader.open(this.fs, tableFileName(this.dir, file.number), file.number, NO_CACHE);
  }

  /** Closes the reader of file `number` (if open) and drops its cached blocks. */
  evict(number: number): void {
    const reader = this.readers.get(number);
    if (reader !== undefined) {
      this.readers.delete(number);
      this.closedBloomSkips += reader.bloomSkips;
      this.closedFalsePositives += reader.bloomFalsePositives;
      closeQuietly(reader);
    }
    this.blocks.evictFile(number);
  }

  /** Point lookups some filter answered "absent", over every reader so far. */
  get bloomSkips(): number {
    let n = this.closedBloomSkips;
    for (const r of this.readers.values()) n += r.bloomSkips;
    return n;
  }

  /** Point lookups a filter let through that found nothing. */
  get bloomFalsePositives(): number {
    let n = this.closedFalsePositives;
    for (const r of this.readers.values()) n += r.bloomFalsePositives;
    return n;
  }

  /** Closes every reader and empties the block cache. */
  closeAll(): void {
    for (const number of [...this.readers.keys()]) this.evict(number);
    this.blocks.clear();
  }
}

function closeQuietly(reader: TableReader): void {
  try {
    reader.close();
  } catch {
    // A handle invalidated by a crash (or already closed) has nothing left to release.
  }
}
