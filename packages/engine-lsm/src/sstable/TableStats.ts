import { ByteBuffer } from '../util/ByteBuffer';
import { compareRange, KIND_VALUE, MAX_SEQ, TRAILER_BYTES, writeTrailer } from '../util/internalKey';
import type { EntryKind, InternalKey } from '../util/internalKey';
import type { TableProperties } from './properties';

/**
 * The TableBuilder's running bookkeeping: counters for the properties
 * block, the last key added (for the order check and index separators) and
 * the smallest key. Keeps its own copies of keys.
 */
export class TableStats {
  entryCount = 0;
  deletionCount = 0;
  dataBlockCount = 0;
  rawKeyBytes = 0;
  rawValueBytes = 0;
  minSeq = Infinity;
  maxSeq = -1;
  lastSeq = 0;
  lastKind: EntryKind = KIND_VALUE;
  private readonly last = new ByteBuffer(64);
  private smallest: InternalKey | undefined;

  /** `key` versus the last user key added (<0, 0, >0). Requires entryCount > 0. */
  compareLast(key: Uint8Array): number {
    return compareRange(key, 0, key.length, this.last.buf, 0, this.last.length);
  }

  /** Records an entry just added. */
  record(key: Uint8Array, seq: number, kind: EntryKind, valueLength: number): void {
    if (this.entryCount === 0) this.smallest = { key: key.slice(), seq, kind };
    this.entryCount++;
    if (kind !== KIND_VALUE) this.deletionCount++;
    this.rawKeyBytes += key.length;
    this.rawValueBytes += valueLength;
    if (seq < this.minSeq) this.minSeq = seq;
    if (seq > this.maxSeq) this.maxSeq = seq;
    this.last.reset();
    this.last.putBytes(key);
    this.lastSeq = seq;
    this.lastKind = kind;
  }

  /**
   * Writes into `out` (reset first) an internal key >= the last key added
   * and < every key with user key `next` (undefined: no bound above). Uses a
   * shortened user key with MAX_SEQ when one fits (LevelDB's
   * FindShortestSeparator / FindShortSuccessor), else the last key itself.
   */
  separator(out: ByteBuffer, next: Uint8Array | undefined): void {
    const last = this.last.buf;
    const n = this.last.length;
    out.reset();
    let i = 0;
    if (next === undefined) {
      while (i < n && last[i] === 0xff) i++;
      if (i < n) return this.shortened(out, i);
    } else {
      const max = Math.min(n, next.length);
      while (i < max && last[i] === next[i]) i++;
      if (i < max && last[i]! < 0xff && last[i]! + 1 < next[i]!) return this.shortened(out, i);
    }
    out.putBytes(last, 0, n);
    this.putTrailer(out, this.lastSeq, this.lastKind);
  }

  /** The properties so far (all but fileSize). Requires entryCount > 0. */
  properties(): Omit<TableProperties, 'fileSize'> {
    return {
      entryCount: this.entryCount,
      deletionCount: this.deletionCount,
      dataBlockCount: this.dataBlockCount,
      rawKeyBytes: this.rawKeyBytes,
      rawValueBytes: this.rawValueBytes,
      minSeq: this.minSeq,
      maxSeq: this.maxSeq,
      smallest: this.smallest!,
      largest: { key: this.last.buf.slice(0, this.last.length), seq: this.lastSeq, kind: this.lastKind },
    };
  }

  /** last[0, i] with byte i incremented, at MAX_SEQ. */
  private shortened(out: ByteBuffer, i: number): void {
    out.putBytes(this.last.buf, 0, i + 1);
    out.buf[i]!++;
    this.putTrailer(out, MAX_SEQ, KIND_VALUE);
  }

  private putTrailer(out: ByteBuffer, seq: number, kind: number): void {
    out.ensure(TRAILER_BYTES);
    writeTrailer(out.buf, out.length, seq, kind);
    out.length += TRAILER_BYTES;
  }
}
