import type { FileSystem, RandomAccessFile } from '@dynamis/core';
import { BlockCache } from '../cache/BlockCache';
import type { Block } from '../sstable/Block';
import { TableReader } from '../sstable/TableReader';
import { tableFileName } from '../version/fileNames';
import type { FileMeta } from '../version/FileMeta';

const EMPTY = new Uint8Array(0);
/** Compaction inputs are read once: nothing is cached. */
const NO_CACHE = new BlockCache<Block>(0);

/** Bytes one readahead loads. */
export const READAHEAD_BYTES = 128 * 1024;

/**
 * A RandomAccessFile for a sequential scan (a compaction reading an input
 * table block after block): a read outside the current window loads
 * READAHEAD_BYTES from its position with one call to the underlying file,
 * and reads inside the window are copies. One pread per 32 blocks of 4 KiB
 * instead of one per block. Reads larger than the window go straight
 * through. Same results as the file it wraps; owns it (close closes it).
 */
export class ReadaheadFile implements RandomAccessFile {
  private window = EMPTY;
  private windowStart = 0;
  private windowLength = 0;

  constructor(private readonly file: RandomAccessFile) {}

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  read(position: number, length: number): Uint8Array {
    if (length > READAHEAD_BYTES) return this.file.read(position, length);
    const out = new Uint8Array(length);
    const n = this.readInto(position, length, out, 0);
    return n === length ? out : out.subarray(0, n);
  }

  readInto(position: number, length: number, target: Uint8Array, targetOffset: number): number {
    if (length > READAHEAD_BYTES || !Number.isSafeInteger(position) || position < 0) {
      return this.file.readInto(position, length, target, targetOffset);
    }
    if (position < this.windowStart || position + length > this.windowStart + this.windowLength) {
      if (this.window === EMPTY) this.window = new Uint8Array(READAHEAD_BYTES);
      this.windowLength = 0; // if the read below throws, nothing stale stays
      this.windowStart = position;
      this.windowLength = this.file.readInto(
        position,
        Math.min(this.window.length, Math.max(length, this.size - position)),
        this.window,
        0,
      );
    }
    const from = position - this.windowStart;
    const n = Math.max(0, Math.min(length, this.windowLength - from));
    target.set(this.window.subarray(from, from + n), targetOffset);
    return n;
  }

  close(): void {
    this.file.close();
  }
}

/**
 * Opens input table `f` of a compaction for one sequential scan: blocks read
 * ahead (ReadaheadFile) and never cached (the foreground's block cache
 * keeps what reads need). The caller closes it. Throws CORRUPTION or IO_ERROR.
 */
export function openCompactionInput(fs: FileSystem, dir: string, f: FileMeta): TableReader {
  const scan = Object.create(fs) as FileSystem; // TableReader.open only calls openRead
  scan.openRead = (path) => new ReadaheadFile(fs.openRead(path));
  return TableReader.open(scan, tableFileName(dir, f.number), f.number, NO_CACHE);
}
