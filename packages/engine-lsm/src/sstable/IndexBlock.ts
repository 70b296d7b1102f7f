import { readVarint } from '../util/coding';
import type { VarintCursor } from '../util/coding';
import { corruption } from '../util/corruption';
import { compareRange, TRAILER_BYTES, trailerSeq } from '../util/internalKey';
import { Block } from './Block';
import { BlockIterator } from './BlockIterator';
import { BLOCK_TRAILER_BYTES } from './format';

/**
 * A table's index, decoded once at open into flat arrays for binary search:
 * entry i describes data block i: its separator internal key (>= every key
 * in block i and < every key in block i + 1) and its handle.
 */
export class IndexBlock {
  /** Separator user keys (copies). */
  readonly keys: Uint8Array[] = [];
  readonly seqs: Float64Array;
  readonly kinds: Uint8Array;
  readonly offsets: Float64Array;
  readonly sizes: Float64Array;

  /**
   * Decodes the index block contents `data` read at `fileOffset` of `file`,
   * checking that every handle lies before `dataEnd`. Throws CORRUPTION.
   */
  constructor(data: Uint8Array, file: string, fileOffset: number, dataEnd: number) {
    const block = new Block(data, file, fileOffset);
    const it = new BlockIterator();
    it.reset(block);
    const n = countEntries(it);
    this.seqs = new Float64Array(n);
    this.kinds = new Uint8Array(n);
    this.offsets = new Float64Array(n);
    this.sizes = new Float64Array(n);
    const cur: VarintCursor = { pos: 0 };
    let i = 0;
    let expect = 0;
    for (it.seekToFirst(); it.valid; it.next(), i++) {
      const ukLen = it.keyLen - TRAILER_BYTES;
      this.keys.push(it.scratch.slice(0, ukLen));
      this.seqs[i] = trailerSeq(it.scratch, ukLen);
      this.kinds[i] = it.kind;
      const off = readVarint(data, it.valueStart, it.valueEnd, cur);
      const size = readVarint(data, cur.pos, it.valueEnd, cur);
      if (off !== expect || size < 0 || off + size > dataEnd || this.seqs[i]! < 0) {
        throw corruption(`bad index entry ${i}`, file, fileOffset, { entry: i });
      }
      this.offsets[i] = off;
      this.sizes[i] = size;
      expect = off + size + BLOCK_TRAILER_BYTES;
    }
  }

  /** Number of data blocks. */
  get count(): number {
    return this.seqs.length;
  }

  /** Index of the first block whose separator >= (key, seq, kind), or -1. */
  find(key: Uint8Array, seq: number, kind: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(mid, key, seq, kind) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.seqs.length ? lo : -1;
  }

  private compare(i: number, key: Uint8Array, seq: number, kind: number): number {
    const k = this.keys[i]!;
    const c = compareRange(k, 0, k.length, key, 0, key.length);
    if (c !== 0) return c;
    const s = this.seqs[i]!;
    if (s !== seq) return s > seq ? -1 : 1;
    return kind - this.kinds[i]!;
  }
}

function countEntries(it: BlockIterator): number {
  let n = 0;
  for (it.seekToFirst(); it.valid; it.next()) n++;
  return n;
}
