import type { WritableFile } from '@dynamis/core';
import { BloomFilterBuilder, DEFAULT_BLOOM_BITS_PER_KEY } from '../bloom/BloomFilterBuilder';
import { ByteBuffer } from '../util/ByteBuffer';
import { invalidArgument } from '../util/corruption';
import { crc, maskCrc } from '../util/crc';
import { checkKind, checkSeq, KIND_VALUE, TRAILER_BYTES, writeTrailer } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import { BlockBuilder } from './BlockBuilder';
import { COMPRESSION_NONE, writeFooter } from './format';
import type { BlockHandle } from './format';
import { encodeProperties } from './properties';
import type { TableProperties } from './properties';
import { TableStats } from './TableStats';

/** Options of a table; every field optional. */
export interface TableBuilderOptions {
  /** Target uncompressed data block size in bytes (default 4096, min 64). */
  readonly blockSize?: number;
  /** Entries between full keys in a data block (default 16, min 1). */
  readonly restartInterval?: number;
  /** Bloom filter bits per user key (default 10); 0 writes no filter. */
  readonly bloomBitsPerKey?: number;
}

/** Bytes buffered before they are appended to the file. */
const APPEND_CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * Writes one SSTable (docs/format.md, "SSTable") to a WritableFile that the
 * builder owns from construction: `finish()` (after which the file is
 * durable and closed) or `abandon()` (closed, contents unspecified; the
 * caller removes it) must be called exactly once. Entries go through one
 * reusable buffer and reach the file in chunks of >= 64 KiB.
 */
export class TableBuilder {
  private readonly out = new ByteBuffer(APPEND_CHUNK * 2);
  private readonly data: BlockBuilder;
  private readonly index = new ByteBuffer(4096);
  private readonly indexBuilder: BlockBuilder;
  private readonly bloom: BloomFilterBuilder | undefined;
  private readonly stats = new TableStats();
  private readonly blockSize: number;
  private readonly ikey = new ByteBuffer(64);
  private readonly handleBuf = new ByteBuffer(32);
  private appended = 0;
  private pendingHandle: BlockHandle | undefined;
  private done = false;
  private failure: unknown;

  constructor(
    private readonly file: WritableFile,
    options: TableBuilderOptions = {},
  ) {
    this.blockSize = intOption('blockSize', options.blockSize ?? 4096, 64);
    const restartInterval = intOption('restartInterval', options.restartInterval ?? 16, 1);
    const bits = intOption('bloomBitsPerKey', options.bloomBitsPerKey ?? DEFAULT_BLOOM_BITS_PER_KEY, 0);
    this.bloom = bits === 0 ? undefined : new BloomFilterBuilder(bits);
    this.data = new BlockBuilder(this.out, restartInterval);
    this.indexBuilder = new BlockBuilder(this.index, 1);
    this.data.begin();
    this.indexBuilder.begin();
    this.appended = file.size;
  }

  /** Bytes of the file so far (appended plus buffered); final after finish(). */
  get fileSize(): number {
    return this.appended + this.out.length;
  }

  /** Entries added. */
  get entryCount(): number {
    return this.stats.entryCount;
  }

  /**
   * Adds an entry; entries must come in strictly increasing internal order
   * (user key asc, seq desc). `value` is ignored for deletions (kind 0).
   * Throws INVALID_ARGUMENT on disorder, a bad seq or kind, or after
   * finish/abandon; IO_ERROR if a chunk append fails (then every later
   * add/finish rethrows it; call abandon() and remove the file).
   */
  add(key: Uint8Array, seq: number, kind: EntryKind, value: Uint8Array = EMPTY): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) throw invalidArgument('table builder already finished or abandoned');
    checkSeq(seq);
    checkKind(kind);
    const st = this.stats;
    const c = st.entryCount === 0 ? 1 : st.compareLast(key);
    const sameUserKey = c === 0;
    if (c < 0 || (sameUserKey && seq >= st.lastSeq)) {
      throw invalidArgument('table entries must be added in strictly increasing internal order', { seq });
    }
    if (this.pendingHandle !== undefined) this.addIndexEntry(key);
    if (this.bloom !== undefined && !sameUserKey) this.bloom.addKey(key);
    const v = kind === KIND_VALUE ? value : EMPTY;
    const ik = this.ikey;
    ik.reset();
    ik.putBytes(key);
    ik.ensure(TRAILER_BYTES);
    writeTrailer(ik.buf, ik.length, seq, kind);
    ik.length += TRAILER_BYTES;
    this.data.add(ik.buf, ik.length, v, 0, v.length);
    st.record(key, seq, kind, v.length);
    if (this.data.sizeEstimate >= this.blockSize) this.flushDataBlock();
  }

  /**
   * Writes the remaining blocks, the footer, syncs and closes the file.
   * Resolves to the table's properties. Rejects INVALID_ARGUMENT if no entry
   * was added or after finish/abandon (the file is then closed: abandon is
   * not needed), IO_ERROR on a write or sync failure.
   */
  async finish(): Promise<TableProperties> {
    if (this.done) throw invalidArgument('table builder already finished or abandoned');
    this.done = true;
    try {
      if (this.failure !== undefined) throw this.failure;
      if (this.stats.entryCount === 0) throw invalidArgument('cannot finish an empty table');
      if (this.data.count > 0) this.flushDataBlock();
      if (this.pendingHandle !== undefined) this.addIndexEntry(undefined);
      const filter = this.writeFilter();
      const propsStart = this.out.length;
      encodeProperties(this.out, this.stats.properties());
      const props = this.writeTrailer(propsStart);
      const indexStart = this.out.length;
      this.indexBuilder.finish();
      this.out.putBytes(this.index.buf, 0, this.index.length);
      const index = this.writeTrailer(indexStart);
      writeFooter(this.out, index, filter, props);
      this.flushOut();
      await this.file.sync();
      return { ...this.stats.properties(), fileSize: this.appended };
    } finally {
      await this.file.close();
    }
  }

  /** Stops building and closes the file without syncing. Idempotent. */
  async abandon(): Promise<void> {
    this.done = true;
    await this.file.close();
  }

  private writeFilter(): BlockHandle {
    if (this.bloom === undefined) return { offset: 0, size: 0 };
    const start = this.out.length;
    this.out.putBytes(this.bloom.finish());
    return this.writeTrailer(start);
  }

  private flushDataBlock(): void {
    const size = this.data.finish();
    this.pendingHandle = this.writeTrailer(this.out.length - size);
    this.stats.dataBlockCount++;
    if (this.out.length >= APPEND_CHUNK) this.flushOut();
    this.data.begin();
  }

  /** Appends type + CRC after the block contents at out[start, length); returns its handle. */
  private writeTrailer(start: number): BlockHandle {
    const out = this.out;
    const size = out.length - start;
    out.putByte(COMPRESSION_NONE);
    out.putFixed32(maskCrc(crc(out.buf.subarray(start, start + size + 1))));
    return { offset: this.appended + start, size };
  }

  /**
   * Indexes the pending block with a separator >= its last key and < `next`
   * (the first key of the following block; undefined at the end).
   */
  private addIndexEntry(next: Uint8Array | undefined): void {
    const handle = this.pendingHandle!;
    this.pendingHandle = undefined;
    const sep = this.ikey;
    this.stats.separator(sep, next);
    const hb = this.handleBuf;
    hb.reset();
    hb.putVarint(handle.offset);
    hb.putVarint(handle.size);
    this.indexBuilder.add(sep.buf, sep.length, hb.buf, 0, hb.length);
  }

  private flushOut(): void {
    const out = this.out;
    if (out.length === 0) return;
    try {
      this.file.append(out.view());
    } catch (err) {
      this.failure = err; // the file's tail is unknown: the table is lost
      throw err;
    }
    this.appended += out.length;
    out.reset();
  }
}

function intOption(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw invalidArgument(`bad table option ${name}: ${v}`, { [name]: v });
  return v;
}
