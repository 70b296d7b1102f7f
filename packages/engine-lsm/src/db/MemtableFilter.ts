/**
 * A Bloom filter over the user keys of one memtable, so that a point lookup
 * skips the memtables that cannot hold its key (most of them, for random
 * reads over a large database) without a skip-list descent. Sized from the
 * memtable budget: `bits = memtableBytes / 4` rounded up to a power of two
 * (at least 10 bits per entry even for empty keys and values, which are
 * charged 40 bytes each), 4 probes by double hashing of the key's
 * keyHash. Add-only; dropped with its memtable.
 */
export class MemtableFilter {
  private readonly words: Int32Array;
  private readonly mask: number;

  constructor(memtableBytes: number) {
    let bits = 1 << 13;
    const want = Math.min(memtableBytes / 4, 1 << 27);
    while (bits < want) bits *= 2;
    this.words = new Int32Array(bits >>> 5);
    this.mask = bits - 1;
  }

  /** Records a key by its keyHash. */
  add(hash: number): void {
    const words = this.words;
    const mask = this.mask;
    let h = hash >>> 0;
    const delta = ((h >>> 17) | (h << 15) | 1) >>> 0;
    for (let i = 0; i < 4; i++) {
      const bit = h & mask;
      words[bit >>> 5]! |= 1 << (bit & 31);
      h = (h + delta) >>> 0;
    }
  }

  /** False only if no key with this keyHash was added. */
  mayContain(hash: number): boolean {
    const words = this.words;
    const mask = this.mask;
    let h = hash >>> 0;
    const delta = ((h >>> 17) | (h << 15) | 1) >>> 0;
    for (let i = 0; i < 4; i++) {
      const bit = h & mask;
      if ((words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }
}

/**
 * MurmurHash3 (x86, 32-bit) of `key`: a strong, allocation-free hash. (The
 * table filters' LevelDB hash collides on keys that differ only in their
 * last few ASCII digits, which a memtable filter sized by a power of two
 * cannot afford.)
 */
export function keyHash(key: Uint8Array): number {
  const n = key.length;
  let h = 0x9747b28c;
  let i = 0;
  for (const limit = n & ~3; i < limit; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = key[i]!;
    if (rest > 1) k ^= key[i + 1]! << 8;
    if (rest > 2) k ^= key[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
