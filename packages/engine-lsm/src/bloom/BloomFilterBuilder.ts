import { invalidArgument } from '../util/corruption';
import { bloomHash } from './bloomHash';

/** Default bits of filter per key: ~1% false positives. */
export const DEFAULT_BLOOM_BITS_PER_KEY = 10;

/**
 * Builds a serialized BloomFilter. Keys are hashed as they are added and
 * only the 32-bit hashes are kept (4 bytes per key), so adding never keeps
 * a reference to the caller's bytes. Reusable after `reset()`.
 */
export class BloomFilterBuilder {
  private hashes = new Uint32Array(1024);
  private n = 0;
  private readonly k: number;

  /**
   * `bitsPerKey` (a positive integer, default 10) sets size and probe count
   * (k = round(bitsPerKey * ln 2), clamped to [1, 30]). INVALID_ARGUMENT
   * otherwise.
   */
  constructor(readonly bitsPerKey = DEFAULT_BLOOM_BITS_PER_KEY) {
    if (!Number.isInteger(bitsPerKey) || bitsPerKey < 1 || bitsPerKey > 1000) {
      throw invalidArgument(`bad bloom bitsPerKey ${bitsPerKey}`, { bitsPerKey });
    }
    this.k = Math.min(30, Math.max(1, Math.round(bitsPerKey * 0.69)));
  }

  /** Keys (hashes) added since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Adds `key[start, end)`. */
  addKey(key: Uint8Array, start = 0, end = key.length): void {
    this.addHash(bloomHash(key, start, end));
  }

  /** Adds a key by its bloomHash. */
  addHash(hash: number): void {
    if (this.n === this.hashes.length) {
      const grown = new Uint32Array(this.n * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.n++] = hash;
  }

  /**
   * The serialized filter over every key added: max(64, n * bitsPerKey)
   * bits rounded up to bytes, then the byte k. Does not reset.
   */
  finish(): Uint8Array {
    const bits = Math.max(64, this.n * this.bitsPerKey);
    const bytes = Math.ceil(bits / 8);
    const nbits = bytes * 8;
    const out = new Uint8Array(bytes + 1);
    out[bytes] = this.k;
    const k = this.k;
    for (let i = 0; i < this.n; i++) {
      let h = this.hashes[i]!;
      const delta = ((h >>> 17) | (h << 15)) >>> 0;
      for (let j = 0; j < k; j++) {
        const pos = h % nbits;
        out[pos >>> 3]! |= 1 << (pos & 7);
        h = (h + delta) >>> 0;
      }
    }
    return out;
  }

  /** Forgets every key added. */
  reset(): void {
    this.n = 0;
  }
}
