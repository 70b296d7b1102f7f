import { bloomHash } from './bloomHash';

/**
 * A read-only LevelDB-style Bloom filter over a serialized form:
 * `bits[0, n)` followed by one byte k (number of probes). Probes use double
 * hashing from one 32-bit hash (bloomHash): h, h + d, h + 2d, ... with
 * d = rotr(h, 17). A k above 30 is reserved for future encodings and
 * matches everything; so does a filter shorter than 2 bytes.
 */
export class BloomFilter {
  private readonly bits: number;
  private readonly k: number;

  /** Wraps `data` (kept by reference; must not change). */
  constructor(private readonly data: Uint8Array) {
    this.bits = data.length < 2 ? 0 : (data.length - 1) * 8;
    this.k = data.length < 2 ? 0 : data[data.length - 1]!;
  }

  /** False only if `key[start, end)` was certainly not added. */
  mayContain(key: Uint8Array, start = 0, end = key.length): boolean {
    return this.mayContainHash(bloomHash(key, start, end));
  }

  /** As mayContain, for a hash already computed with bloomHash. */
  mayContainHash(hash: number): boolean {
    const bits = this.bits;
    const k = this.k;
    if (bits === 0 || k > 30) return true;
    const data = this.data;
    let h = hash >>> 0;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let j = 0; j < k; j++) {
      const pos = h % bits;
      if ((data[pos >>> 3]! & (1 << (pos & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }

  /** Bytes of the serialized filter. */
  get byteLength(): number {
    return this.data.length;
  }
}
