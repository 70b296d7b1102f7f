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
 *
 * Residency: while the bytes of resident tables stay within
 * `residentBudgetBytes`, a table is read whole into memory when its reader
 * opens (TableReader.makeResident) and its blocks are served from there;
 * tables opened once the budget is spent are read block by block through
 * the block cache. First come, first served, with no eviction (as LevelDB's
 * limit on mmapped table files): a table's bytes return to the budget when
 * its file is dropped, which compactions do continually, so the budget
 * follows the live tables without ever reading a file twice.
 */
export class TableCache {
  private readonly readers = new Map<number, TableReader>();
  private closedBloomSkips = 0;
  private closedFalsePositives = 0;
  private residentBytes = 0;
  private residentCount = 0;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly blocks: BlockCache<Block>,
    readonly residentBudgetBytes = 0,
  ) {}

  /** The reader of `file`, opening it if needed. Throws CORRUPTION or IO_ERROR. */
  get(file: FileMeta): TableReader {
    const open = this.readers.get(file.number);
    if (open !== undefined) return open;
    const reader = TableReader.open(this.fs, tableFileName(this.dir, file.number), file.number, this.blocks);
    if (this.residentBytes + reader.size <= this.residentBudgetBytes) {
      try {
        reader.makeResident();
      } catch (err) {
        closeQuietly(reader);
        throw err;
      }
      this.residentBytes += reader.size;
      this.residentCount++;
    }
    this.readers.set(file.number, reader);
    return reader;
  }

  /** Bytes of the tables held whole in memory. */
  get residentTableBytes(): number {
    return this.residentBytes;
  }

  /** Number of tables held whole in memory. */
  get residentTables(): number {
    return this.residentCount;
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
      if (reader.resident) {
        this.residentBytes -= reader.size;
        this.residentCount--;
      }
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
