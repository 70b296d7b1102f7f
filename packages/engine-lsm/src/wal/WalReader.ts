import type { FileSystem } from '@dynamis/core';
import { ByteBuffer } from '../util/ByteBuffer';
import { readFixed32 } from '../util/coding';
import { corruption, invalidArgument } from '../util/corruption';
import { crc, unmaskCrc } from '../util/crc';
import { FIRST, FULL, LAST, LOG_BLOCK_SIZE, LOG_HEADER_BYTES, MIDDLE, TYPE_CRC } from './logFormat';

/**
 * How recovery treats damage, after RocksDB's WALRecoveryMode:
 * - 'tolerate-corrupted-tail' (default): keep every complete record; damage
 *   with no valid fragment after it (a torn or garbled tail) is dropped and
 *   reported; damage FOLLOWED by valid fragments throws CORRUPTION (as
 *   RocksDB's kTolerateCorruptedTailRecords: it is not a torn write).
 * - 'absolute-consistency': any damage or torn tail throws CORRUPTION.
 * - 'point-in-time': stop at the first damage, keep exactly the records
 *   before it, report the rest as dropped; never throws for damage.
 */
export type WalRecoveryMode = 'tolerate-corrupted-tail' | 'absolute-consistency' | 'point-in-time';

/** What recovery dropped: bytes [offset, offset + droppedBytes) of the log. */
export interface WalDropReport {
  readonly offset: number;
  readonly droppedBytes: number;
  readonly reason: string;
}

const MODES: readonly WalRecoveryMode[] = ['tolerate-corrupted-tail', 'absolute-consistency', 'point-in-time'];
const EOF = 0;
const BAD = -1;

/**
 * Reads the records of one whole log (docs/format.md, "WAL") in order.
 * `next()` returns each record, then undefined at the end; after that,
 * `dropped` tells what a tolerant mode discarded and `validBytes` where the
 * intact prefix ends. A record is a view into the log's buffer (FULL) or a
 * fresh assembled array (fragmented); do not modify it. Damage is handled per
 * the WalRecoveryMode; thrown errors are CORRUPTION with details.file,
 * details.offset (where the damage was found: the bad fragment, or the
 * start of an incomplete record), details.recordOffset (start of the record
 * it breaks) and details.reason.
 */
export class WalReader {
  /** End offset of the last record returned (the log's intact prefix). */
  validBytes = 0;
  private report: WalDropReport | undefined;
  private pos = 0;
  private done = false;
  private fragStart = 0;
  private payloadStart = 0;
  private payloadEnd = 0;
  private badReason = '';
  /** The bad fragment runs into the end of the file (a torn write). */
  private badAtEnd = false;
  private readonly assembly = new ByteBuffer(LOG_BLOCK_SIZE);

  constructor(
    private readonly data: Uint8Array,
    readonly file: string,
    readonly mode: WalRecoveryMode = 'tolerate-corrupted-tail',
  ) {
    if (!MODES.includes(mode)) throw invalidArgument(`bad WAL recovery mode ${String(mode)}`, { mode });
  }

  /** Reads the whole file at `path` (IO_ERROR if it cannot). */
  static open(fs: FileSystem, path: string, mode?: WalRecoveryMode): WalReader {
    return new WalReader(fs.readFile(path), path, mode);
  }

  /** What was dropped, once `next()` has returned undefined; else undefined. */
  get dropped(): WalDropReport | undefined {
    return this.report;
  }

  /** The next record, or undefined at the end. Throws CORRUPTION per the mode. */
  next(): Uint8Array | undefined {
    if (this.done) return undefined;
    let recStart = -1;
    for (;;) {
      const type = this.readFragment();
      const fragStart = this.fragStart;
      if (type === EOF) {
        if (recStart < 0) return this.finish();
        return this.damage(recStart, recStart, 'incomplete record at end of log', true);
      }
      if (type === BAD) return this.damage(recStart >= 0 ? recStart : fragStart, fragStart, this.badReason, this.badAtEnd);
      if (type === FULL || type === FIRST) {
        if (recStart >= 0) return this.damage(recStart, recStart, 'record without its LAST fragment', false);
        if (type === FULL) return this.deliver(this.data.subarray(this.payloadStart, this.payloadEnd));
        recStart = fragStart;
        this.assembly.reset();
      } else if (recStart < 0) {
        return this.damage(fragStart, fragStart, `${type === MIDDLE ? 'MIDDLE' : 'LAST'} fragment without FIRST`, false);
      }
      this.assembly.putBytes(this.data, this.payloadStart, this.payloadEnd);
      if (type === LAST) return this.deliver(this.assembly.buf.slice(0, this.assembly.length));
    }
  }

  /** Every remaining record. */
  *[Symbol.iterator](): IterableIterator<Uint8Array> {
    for (let r = this.next(); r !== undefined; r = this.next()) yield r;
  }

  private deliver(record: Uint8Array): Uint8Array {
    this.validBytes = this.pos;
    return record;
  }

  private finish(): undefined {
    this.done = true;
    return undefined;
  }

  /**
   * Damage found: the record starting at `dropFrom` cannot be read because
   * of the fragment (or incomplete record) at `badAt`.
   */
  private damage(dropFrom: number, badAt: number, reason: string, atEnd: boolean): undefined {
    const tail = atEnd || !this.validFragmentAfter(badAt);
    if (this.mode === 'absolute-consistency' || (this.mode === 'tolerate-corrupted-tail' && !tail)) {
      this.done = true;
      const where = tail ? 'at the tail' : 'followed by valid records';
      throw corruption(`WAL ${reason} (${where})`, this.file, badAt, { reason, recordOffset: dropFrom, mode: this.mode });
    }
    this.report = { offset: dropFrom, droppedBytes: this.data.length - dropFrom, reason };
    this.validBytes = dropFrom;
    return this.finish();
  }

  /**
   * Reads the fragment at `pos` (skipping block trailers). Returns its type
   * and sets fragStart/payloadStart/payloadEnd, or EOF, or BAD with badReason.
   */
  private readFragment(): number {
    const data = this.data;
    const len = data.length;
    for (;;) {
      const pos = this.pos;
      const blockRemain = LOG_BLOCK_SIZE - (pos % LOG_BLOCK_SIZE);
      if (blockRemain < LOG_HEADER_BYTES) {
        this.pos = Math.min(len, pos + blockRemain);
        if (this.pos === len) return EOF;
        continue;
      }
      this.fragStart = pos;
      if (pos >= len) return EOF;
      if (len - pos < LOG_HEADER_BYTES) return this.bad('truncated fragment header', true);
      const n = data[pos + 4]! | (data[pos + 5]! << 8);
      const type = data[pos + 6]!;
      if (LOG_HEADER_BYTES + n > blockRemain) return this.bad('fragment length crosses a block boundary');
      if (pos + LOG_HEADER_BYTES + n > len) return this.bad('truncated fragment', true);
      if (type < FULL || type > LAST) return this.bad(`bad fragment type ${type}`);
      if (!checksumOk(data, pos, n, type)) return this.bad('fragment checksum mismatch');
      this.payloadStart = pos + LOG_HEADER_BYTES;
      this.payloadEnd = this.payloadStart + n;
      this.pos = this.payloadEnd;
      return type;
    }
  }

  private bad(reason: string, atEnd = false): number {
    this.badReason = reason;
    this.badAtEnd = atEnd;
    return BAD;
  }

  /**
   * True if an intact fragment (valid type, length within its block and the
   * file, matching checksum) starts after `at`: then the damage is not a
   * torn tail. In the damaged block every offset is tried (its headers
   * cannot be trusted); every later block is tried at its first byte, where
   * a fragment always starts. Runs only on the damage path.
   */
  private validFragmentAfter(at: number): boolean {
    const blockEnd = at - (at % LOG_BLOCK_SIZE) + LOG_BLOCK_SIZE;
    for (let p = at + 1; p < blockEnd; p++) if (this.intactAt(p)) return true;
    for (let p = blockEnd; p < this.data.length; p += LOG_BLOCK_SIZE) if (this.intactAt(p)) return true;
    return false;
  }

  private intactAt(p: number): boolean {
    const data = this.data;
    if (p + LOG_HEADER_BYTES > data.length) return false;
    const type = data[p + 6]!;
    if (type < FULL || type > LAST) return false;
    const n = data[p + 4]! | (data[p + 5]! << 8);
    const blockRemain = LOG_BLOCK_SIZE - (p % LOG_BLOCK_SIZE);
    if (LOG_HEADER_BYTES + n > blockRemain || p + LOG_HEADER_BYTES + n > data.length) return false;
    return checksumOk(data, p, n, type);
  }
}

function checksumOk(data: Uint8Array, pos: number, n: number, type: number): boolean {
  const stored = unmaskCrc(readFixed32(data, pos));
  const actual = crc(data.subarray(pos + LOG_HEADER_BYTES, pos + LOG_HEADER_BYTES + n), TYPE_CRC[type]);
  return stored === actual;
}
