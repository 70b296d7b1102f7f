import type { FileSystem, RandomAccessFile } from '@dynamis/core';
import { BloomFilter } from '../bloom/BloomFilter';
import type { BlockCache } from '../cache/BlockCache';
import { copyOut } from '../util/allocBytes';
import { corruption, invalidArgument } from '../util/corruption';
import { KIND_VALUE, MAX_SEQ, snapshotToSeq } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import { Block } from './Block';
import { BlockIterator } from './BlockIterator';
import { FOOTER_BYTES, readFooter } from './format';
import { IndexBlock } from './IndexBlock';
import { decodeProperties } from './properties';
import type { TableProperties } from './properties';
import { readBlock, readBlockScratch, verifyBlock } from './readBlock';
import { TableIterator } from './TableIterator';

/** File numbers key the block cache as fileNumber * 2^32 + offset, exact below 2^21. */
const MAX_FILE_NUMBER = 2 ** 21;

/** What `TableReader.get` found: the newest visible entry of a key in this table. */
export interface TableLookup {
  readonly kind: EntryKind;
  /** A copy the caller owns (see allocBytes); absent for a deletion. */
  readonly value?: Uint8Array;
  readonly seq: number;
}

/**
 * An open SSTable (docs/format.md, "SSTable"). `open` reads and verifies the
 * footer, index, filter and properties eagerly; data blocks are read on
 * demand, verified (CRC) before first use and shared through the block
 * cache. Single-threaded and synchronous (reads hit the page cache through
 * the FileSystem port). Every damaged byte surfaces as CORRUPTION naming the
 * file and an offset, never as wrong data.
 *
 * The caller owns the reader and must `close()` it (after its iterators are
 * no longer used); evicting its blocks from the cache is the caller's call
 * (`cache.evictFile(fileNumber)` when the file is deleted).
 */
export class TableReader {
  /** Point lookups the filter answered "absent". */
  bloomSkips = 0;
  /** Point lookups the filter let through although the table holds no entry of the key. */
  bloomFalsePositives = 0;
  private readonly getIter = new BlockIterator();
  private closed = false;
  /** The whole file when resident (see makeResident), else undefined. */
  private image: Uint8Array | undefined = undefined;
  /** Resident data blocks, verified and parsed on first use; undefined slots not yet used. */
  private residentBlocks: Array<Block | undefined> | undefined = undefined;

  private constructor(
    private readonly file: RandomAccessFile,
    readonly fileNumber: number,
    private readonly cache: BlockCache<Block>,
    readonly index: IndexBlock,
    private readonly filter: BloomFilter | undefined,
    readonly properties: TableProperties,
  ) {}

  /**
   * Opens `path` (file number `fileNumber`, an integer in [0, 2^21) used as
   * the cache key). Throws CORRUPTION if the file is too short, its magic,
   * footer, index, filter or properties block is damaged; IO_ERROR if it
   * cannot be read (e.g. ENOENT); INVALID_ARGUMENT for a bad file number.
   * The file handle is closed on failure.
   */
  static open(fs: FileSystem, path: string, fileNumber: number, cache: BlockCache<Block>): TableReader {
    if (!Number.isInteger(fileNumber) || fileNumber < 0 || fileNumber >= MAX_FILE_NUMBER) {
      throw invalidArgument(`bad table file number ${fileNumber}`, { fileNumber });
    }
    const file = fs.openRead(path);
    try {
      const size = file.size;
      if (size < FOOTER_BYTES) throw corruption(`file too short for an SSTable (${size} bytes)`, path, 0);
      const footer = readFooter(file.read(size - FOOTER_BYTES, FOOTER_BYTES), path, size);
      const dataEnd = Math.min(footer.index.offset, footer.properties.offset, footer.filter.size > 0 ? footer.filter.offset : size);
      const indexData = readBlock(file, footer.index.offset, footer.index.size);
      const index = new IndexBlock(indexData, path, footer.index.offset, dataEnd);
      const filter = footer.filter.size > 0 ? new BloomFilter(readBlock(file, footer.filter.offset, footer.filter.size)) : undefined;
      const propsData = readBlock(file, footer.properties.offset, footer.properties.size);
      const props = decodeProperties(propsData, path, footer.properties.offset, size);
      if (props.dataBlockCount !== index.count) {
        throw corruption('properties and index disagree on the block count', path, footer.properties.offset);
      }
      return new TableReader(file, fileNumber, cache, index, filter, props);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /** The file's size in bytes. */
  get size(): number {
    return this.properties.fileSize;
  }

  /** True while the whole file is held in memory (see makeResident). */
  get resident(): boolean {
    return this.image !== undefined;
  }

  /**
   * Reads the whole file into memory with one read, after which blocks are
   * served from it without I/O or the block cache (LevelDB reads its table
   * files through mmap to the same effect). Each data block is still
   * verified (CRC) on its first use, so damage surfaces exactly as without
   * residency: CORRUPTION naming the file and the block's offset. Throws
   * CORRUPTION on a short read, IO_ERROR if the read fails (the reader is
   * then unchanged). Idempotent.
   */
  makeResident(): void {
    if (this.image !== undefined) return;
    const size = this.file.size;
    const image = Buffer.allocUnsafeSlow(size);
    const got = this.file.readInto(0, size, image, 0);
    if (got !== size) throw corruption(`truncated table (wanted ${size} bytes, got ${got})`, this.file.path, got);
    this.image = image;
    this.residentBlocks = new Array<Block | undefined>(this.index.count).fill(undefined);
  }

  /** The file's path. */
  get path(): string {
    return this.file.path;
  }

  /** False only if the table certainly holds no entry of `key` (Bloom filter). */
  mayContain(key: Uint8Array): boolean {
    return this.filter === undefined || this.filter.mayContain(key);
  }

  /**
   * The newest entry of `key` with seq <= `snapshotSeq` (default: all), or
   * undefined. A deletion comes back as `{ kind: 0, seq }`. Consults the
   * filter first (counting bloomSkips / bloomFalsePositives), then one data
   * block. Allocates only the result and its value. Throws CORRUPTION.
   */
  get(key: Uint8Array, snapshotSeq = Infinity): TableLookup | undefined {
    const filtered = this.filter !== undefined;
    if (filtered && !this.filter!.mayContain(key)) {
      this.bloomSkips++;
      return undefined;
    }
    const seq = snapshotToSeq(snapshotSeq);
    const i = this.index.find(key, seq, KIND_VALUE);
    if (i >= 0) {
      const it = this.getIter;
      it.reset(this.lookupBlock(i));
      it.seek(key, seq, KIND_VALUE);
      if (it.valid && it.userKeyEquals(key)) {
        const kind = it.kind;
        if (kind === KIND_VALUE) return { kind: KIND_VALUE, value: copyOut(it.blockData, it.valueStart, it.valueEnd), seq: it.seq };
        if (kind === 0) return { kind: 0, seq: it.seq };
        throw corruption(`bad entry kind ${kind}`, this.path, this.index.offsets[i]!);
      }
    }
    if (filtered && (seq === MAX_SEQ || !this.holdsKey(key))) this.bloomFalsePositives++;
    return undefined;
  }

  /** True if some entry (any seq) has user key `key`. Off the hot path. */
  private holdsKey(key: Uint8Array): boolean {
    const i = this.index.find(key, MAX_SEQ, KIND_VALUE);
    if (i < 0) return false;
    const it = this.getIter;
    it.reset(this.lookupBlock(i));
    it.seek(key, MAX_SEQ, KIND_VALUE);
    return it.valid && it.userKeyEquals(key);
  }

  /**
   * Data block `i` for a synchronous point lookup: from the cache; else,
   * when the cache admits it (BlockCache.admit), read and cached as by
   * `block`; else read into the shared scratch buffer, valid only until the
   * next scratch read (the caller copies out what it returns).
   */
  private lookupBlock(i: number): Block {
    const resident = this.residentBlocks;
    if (resident !== undefined) return resident[i] ?? this.residentBlock(i);
    const offset = this.index.offsets[i]!;
    const cache = this.cache;
    const cached = cache.get(this.fileNumber, offset);
    if (cached !== undefined) return cached;
    const size = this.index.sizes[i]!;
    if (cache.admit(this.fileNumber, offset)) {
      const block = new Block(readBlock(this.file, offset, size), this.file.path, offset);
      cache.insert(this.fileNumber, offset, block, size);
      return block;
    }
    return new Block(readBlockScratch(this.file, offset, size), this.file.path, offset);
  }

  /** A new unpositioned iterator (see InternalIterator) over the whole table. */
  iterator(): TableIterator {
    return new TableIterator(this);
  }

  /**
   * Data block `i` (0 <= i < index.count), from the cache or read, verified
   * and cached. Throws CORRUPTION or IO_ERROR.
   */
  block(i: number): Block {
    const resident = this.residentBlocks;
    if (resident !== undefined) return resident[i] ?? this.residentBlock(i);
    const offset = this.index.offsets[i]!;
    const cached = this.cache.get(this.fileNumber, offset);
    if (cached !== undefined) return cached;
    const size = this.index.sizes[i]!;
    const block = new Block(readBlock(this.file, offset, size), this.file.path, offset);
    this.cache.insert(this.fileNumber, offset, block, size);
    return block;
  }

  /** Data block `i` of a resident table: verified and parsed on its first use, then kept. */
  private residentBlock(i: number): Block {
    const offset = this.index.offsets[i]!;
    const block = new Block(verifyBlock(this.image!, offset, this.index.sizes[i]!, this.file.path), this.file.path, offset);
    this.residentBlocks![i] = block;
    return block;
  }

  /** Closes the file and drops a resident image. Idempotent. Iterators must not be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.image = undefined;
    this.residentBlocks = undefined;
    this.file.close();
  }
}
