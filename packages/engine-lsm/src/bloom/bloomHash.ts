const SEED = 0xbc9f1d34;
const M = 0xc6a4a793;

/**
 * LevelDB's 32-bit Murmur-like hash (util/hash.cc, seed 0xbc9f1d34) of
 * `data[start, end)`. Allocation-free; used for Bloom filter probes.
 */
export function bloomHash(data: Uint8Array, start = 0, end = data.length): number {
  const n = end - start;
  let h = (SEED ^ Math.imul(n, M)) >>> 0;
  let i = start;
  const limit4 = start + (n & ~3);
  for (; i < limit4; i += 4) {
    const w = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
    h = Math.imul((h + w) >>> 0, M) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  const rest = end - i;
  if (rest > 0) {
    if (rest === 3) h = (h + (data[i + 2]! << 16)) >>> 0;
    if (rest >= 2) h = (h + (data[i + 1]! << 8)) >>> 0;
    h = (h + data[i]!) >>> 0;
    h = Math.imul(h, M) >>> 0;
    h = (h ^ (h >>> 24)) >>> 0;
  }
  return h;
}
