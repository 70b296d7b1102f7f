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
  /** Length of the prefix all separator user keys share. */
  private readonly prefixLen: number;
  /** Big-endian words of each separator's bytes [prefixLen, +4) and [+4, +8), zero-padded: most comparisons are two integer compares. */
  private readonly w0: Uint32Array;
  private readonly w1: Uint32Array;

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
    const keys = this.keys;
    this.prefixLen = n === 0 ? 0 : commonPrefix(keys[0]!, keys[n - 1]!);
    this.w0 = new Uint32Array(n);
    this.w1 = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      this.w0[j] = wordAt(keys[j]!, this.prefixLen);
      this.w1[j] = wordAt(keys[j]!, this.prefixLen + 4);
    }
  }

  /** Number of data blocks. */
  get count(): number {
    return this.seqs.length;
  }

  /** Index of the first block whose separator >= (key, seq, kind), or -1. */
  find(key: Uint8Array, seq: number, kind: number): number {
    const n = this.seqs.length;
    if (n === 0) return -1;
    const p = this.prefixLen;
    if (p > 0) {
      // Every separator starts with the same p bytes: a key that differs there is before or after them all.
      const first = this.keys[0]!;
      const c = compareRange(first, 0, p, key, 0, key.length < p ? key.length : p);
      if (c < 0) return -1;
      if (c > 0) return 0;
    }
    const k0 = wordAt(key, p);
    const k1 = wordAt(key, p + 4);
    const w0 = this.w0;
    const w1 = this.w1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const a = w0[mid]!;
      let less: boolean;
      if (a !== k0) less = a < k0;
      else {
        const b = w1[mid]!;
        less = b !== k1 ? b < k1 : this.compare(mid, key, seq, kind) < 0;
      }
      if (less) lo = mid + 1;
      else hi = mid;
    }
    return lo < n ? lo : -1;
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

/** Length of the common prefix of `a` and `b`. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * The big-endian 32-bit word of `key[pos, pos + 4)`, missing bytes as 0. Word
 * order agrees with byte order where the words differ (a 0 pad is below any
 * byte but 0; equal words fall back to a full comparison).
 */
function wordAt(key: Uint8Array, pos: number): number {
  const n = key.length;
  const b0 = pos < n ? key[pos]! : 0;
  const b1 = pos + 1 < n ? key[pos + 1]! : 0;
  const b2 = pos + 2 < n ? key[pos + 2]! : 0;
  const b3 = pos + 3 < n ? key[pos + 3]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}

function countEntries(it: BlockIterator): number {
  let n = 0;
  for (it.seekToFirst(); it.valid; it.next()) n++;
  return n;
}
