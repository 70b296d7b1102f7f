import { readVarint } from '../util/coding';
import type { VarintCursor } from '../util/coding';
import { corruption } from '../util/corruption';
import { compareRange, TRAILER_BYTES, trailerSeq } from '../util/internalKey';
import type { Block } from './Block';

/**
 * A cursor over one block's entries (see BlockBuilder for the layout),
 * decoding in place: the current internal key is rebuilt in a reusable
 * scratch array and the value stays in the block, so moving allocates
 * nothing. Re-point it at another block with `reset` (the table iterator
 * keeps one per table). Keys are internal keys: user key + 8-byte trailer.
 *
 * Any malformed entry throws CORRUPTION naming the file and the entry's
 * absolute offset (block offset + entry offset).
 */
export class BlockIterator {
  /** Current internal key bytes are scratch[0, keyLen). */
  scratch = new Uint8Array(128);
  keyLen = 0;
  /** Current value is block.data[valueStart, valueEnd). */
  valueStart = 0;
  valueEnd = 0;
  private block: Block | null = null;
  private data: Uint8Array = new Uint8Array(0);
  private limit = 0;
  /** Offset of the current entry; >= limit when invalid. */
  private current = 0;
  private nextOffset = 0;
  private readonly cur: VarintCursor = { pos: 0 };

  /** Points the iterator at `block`, unpositioned. */
  reset(block: Block): void {
    this.block = block;
    this.data = block.data;
    this.limit = block.restartsOffset;
    this.current = this.limit;
    this.nextOffset = this.limit;
  }

  get valid(): boolean {
    return this.current < this.limit;
  }

  /** The block's data (values are read from it). */
  get blockData(): Uint8Array {
    return this.data;
  }

  /** Sequence number of the current entry (from the trailer). */
  get seq(): number {
    return trailerSeq(this.scratch, this.keyLen - TRAILER_BYTES);
  }

  /** Kind byte of the current entry. */
  get kind(): number {
    return this.scratch[this.keyLen - TRAILER_BYTES]!;
  }

  seekToFirst(): void {
    this.seekToRestart(0);
    this.parseNext();
  }

  seekToLast(): void {
    this.seekToRestart(this.block!.numRestarts - 1);
    while (this.parseNext() && this.nextOffset < this.limit) {
      // keep going to the last entry
    }
  }

  /** First entry >= (key, seq, kind) in internal order; invalid if none. */
  seek(key: Uint8Array, seq: number, kind: number): void {
    const block = this.block!;
    let lo = 0;
    let hi = block.numRestarts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.compareRestart(mid, key, seq, kind) < 0) lo = mid;
      else hi = mid - 1;
    }
    this.seekToRestart(lo);
    while (this.parseNext()) {
      if (this.compareCurrent(key, seq, kind) >= 0) return;
    }
  }

  next(): void {
    this.parseNext();
  }

  prev(): void {
    const original = this.current;
    const block = this.block!;
    // The last restart point before the current entry (binary search).
    let lo = 0;
    let hi = block.numRestarts - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (block.restartPoint(mid) < original) lo = mid;
      else hi = mid - 1;
    }
    if (block.restartPoint(lo) >= original) {
      this.current = this.limit; // `original` was the first entry
      this.nextOffset = this.limit;
      return;
    }
    this.seekToRestart(lo);
    while (this.parseNext() && this.nextOffset < original) {
      // stop at the entry just before `original`
    }
  }

  /** Current internal entry versus (key, seq, kind). */
  compareCurrent(key: Uint8Array, seq: number, kind: number): number {
    const ukLen = this.keyLen - TRAILER_BYTES;
    const c = compareRange(this.scratch, 0, ukLen, key, 0, key.length);
    if (c !== 0) return c;
    const s = trailerSeq(this.scratch, ukLen);
    if (s !== seq) return s > seq ? -1 : 1;
    return kind - this.scratch[ukLen]!;
  }

  /** True if the current user key equals `key`. */
  userKeyEquals(key: Uint8Array): boolean {
    const ukLen = this.keyLen - TRAILER_BYTES;
    return ukLen === key.length && compareRange(this.scratch, 0, ukLen, key, 0, ukLen) === 0;
  }

  private seekToRestart(i: number): void {
    const p = this.restartOffset(i);
    this.keyLen = 0;
    this.nextOffset = p;
    this.current = this.limit;
  }

  private restartOffset(i: number): number {
    const p = this.block!.restartPoint(i);
    if (p >= this.limit) this.fail('restart point outside block', this.limit);
    return p;
  }

  /** The full key at restart `i` (shared is 0 there) versus the target, in place. */
  private compareRestart(i: number, key: Uint8Array, seq: number, kind: number): number {
    const data = this.data;
    const p = this.restartOffset(i);
    const cur = this.cur;
    const shared = readVarint(data, p, this.limit, cur);
    const nonShared = readVarint(data, cur.pos, this.limit, cur);
    const vlen = readVarint(data, cur.pos, this.limit, cur);
    const k = cur.pos;
    if (shared !== 0 || nonShared < TRAILER_BYTES || vlen < 0 || k + nonShared + vlen > this.limit) {
      this.fail('bad entry at restart point', p);
    }
    const ukEnd = k + nonShared - TRAILER_BYTES;
    const c = compareRange(data, k, ukEnd, key, 0, key.length);
    if (c !== 0) return c;
    const s = trailerSeq(data, ukEnd);
    if (s !== seq) return s > seq ? -1 : 1;
    return kind - data[ukEnd]!;
  }

  /** Decodes the entry at nextOffset; false (and invalid) at the end. */
  private parseNext(): boolean {
    const p = this.nextOffset;
    const limit = this.limit;
    if (p >= limit) {
      this.current = limit;
      return false;
    }
    const data = this.data;
    let shared = data[p]!;
    let nonShared = data[p + 1]!;
    let vlen = data[p + 2]!;
    let k = p + 3;
    if ((shared | nonShared | vlen) >= 0x80) {
      const cur = this.cur;
      shared = readVarint(data, p, limit, cur);
      nonShared = readVarint(data, cur.pos, limit, cur);
      vlen = readVarint(data, cur.pos, limit, cur);
      k = cur.pos;
      if (shared < 0 || nonShared < 0 || vlen < 0) this.fail('bad varint in entry', p);
    }
    const keyLen = shared + nonShared;
    if (shared > this.keyLen || keyLen < TRAILER_BYTES || k + nonShared + vlen > limit) this.fail('bad entry', p);
    if (keyLen > this.scratch.length) this.growScratch(keyLen);
    const s = this.scratch;
    for (let i = 0; i < nonShared; i++) s[shared + i] = data[k + i]!;
    this.keyLen = keyLen;
    this.current = p;
    this.valueStart = k + nonShared;
    this.valueEnd = this.valueStart + vlen;
    this.nextOffset = this.valueEnd;
    return true;
  }

  private growScratch(n: number): void {
    const grown = new Uint8Array(n * 2);
    grown.set(this.scratch.subarray(0, this.keyLen));
    this.scratch = grown;
  }

  private fail(message: string, entryOffset: number): never {
    const block = this.block!;
    this.current = this.limit;
    throw corruption(message, block.file, block.fileOffset + entryOffset);
  }
}
