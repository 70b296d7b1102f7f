// YCSB's scrambled zipfian key chooser (site.ycsb.generator.ScrambledZipfianGenerator
// and ZipfianGenerator, constant 0.99), reproduced step by step so that the
// key popularity matches YCSB's: a zipfian draw over 10^10 items (with YCSB's
// precomputed zeta), hashed with YCSB's 64-bit FNV-1a (Utils.fnvhash64) and
// reduced modulo the record count. The hot keys are therefore spread over the
// key space (and over the ring's partitions), not the first few records.

/** YCSB's ZIPFIAN_CONSTANT. */
export const ZIPFIAN_CONSTANT = 0.99;
/** YCSB's ScrambledZipfianGenerator.ITEM_COUNT: the zipfian draw is over this many items (+1), then scrambled. */
const ITEM_COUNT = 10_000_000_000;
/** YCSB's ScrambledZipfianGenerator.ZETAN: zeta(ITEM_COUNT, 0.99), precomputed by YCSB. */
export const ZETAN = 26.46902820178302;

const TWO32 = 4294967296;
/** FNV-1a 64-bit offset basis 0xCBF29CE484222325, as two 32-bit halves. */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
/** The FNV 64-bit prime is 2^40 + 0x1B3. */
const PRIME_LOW = 0x1b3;

/**
 * YCSB's `Utils.fnvhash64(val)` reduced modulo `m`: FNV-1a over the 8
 * little-endian bytes of `val`, the 64-bit result read as signed and made
 * non-negative (Math.abs), then `% m`. `val` must be an integer in
 * [0, 2^53); `m` an integer in [1, 2^36]. (Java's Math.abs leaves
 * Long.MIN_VALUE negative; here it becomes 2^63: one hash value in 2^64.)
 * Computed in 32-bit halves, without BigInt: it runs once per operation.
 */
export function fnvhash64Mod(val: number, m: number): number {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  let rest = val;
  for (let i = 0; i < 8; i++) {
    const octet = rest % 256;
    rest = Math.floor(rest / 256);
    lo = (lo ^ octet) >>> 0;
    // (hi·2^32 + lo)·(2^40 + 0x1B3) mod 2^64
    const low = lo * PRIME_LOW; // < 2^41: exact
    const carry = Math.floor(low / TWO32);
    hi = (hi * PRIME_LOW + carry + ((lo << 8) >>> 0)) % TWO32;
    lo = low % TWO32;
  }
  if (hi >= 0x80000000) [hi, lo] = negate64(hi, lo); // negative as a signed 64-bit value: Math.abs
  // Horner over 16-bit limbs keeps every intermediate below 2^52 when m ≤ 2^36.
  let r = 0;
  r = (r * 65536 + Math.floor(hi / 65536)) % m;
  r = (r * 65536 + (hi % 65536)) % m;
  r = (r * 65536 + Math.floor(lo / 65536)) % m;
  r = (r * 65536 + (lo % 65536)) % m;
  return r;
}

/** The two's complement negation of the 64-bit value hi·2^32 + lo (both halves unsigned 32-bit), as [hi, lo]. */
export function negate64(hi: number, lo: number): [number, number] {
  const nlo = (TWO32 - lo) % TWO32;
  return [(TWO32 - 1 - hi + (nlo === 0 ? 1 : 0)) % TWO32, nlo];
}

/**
 * Draws record numbers in [0, items) with YCSB's scrambled zipfian
 * popularity (constant 0.99): about 1/ZETAN ≈ 3.8% of draws hit the most
 * popular record. `random` returns uniform numbers in [0, 1) (a seeded
 * one makes the sequence repeatable). Unlike YCSB,
 * which draws over recordcount + expected inserts and rejects numbers past
 * the last insert, the range is exactly [0, items): the core workloads A, B
 * and C insert nothing.
 */
export class ScrambledZipfian {
  private readonly items: number;
  private readonly zipfItems = ITEM_COUNT + 1;
  private readonly theta = ZIPFIAN_CONSTANT;
  private readonly alpha = 1 / (1 - ZIPFIAN_CONSTANT);
  private readonly eta: number;
  private readonly secondBound = 1 + Math.pow(0.5, ZIPFIAN_CONSTANT);

  constructor(
    items: number,
    private readonly random: () => number,
  ) {
    if (!Number.isInteger(items) || items < 1 || items > 2 ** 36)
      throw new RangeError(`items must be an integer in [1, 2^36], got ${items}`);
    this.items = items;
    const zeta2theta = 1 + Math.pow(0.5, this.theta);
    this.eta = (1 - Math.pow(2 / this.zipfItems, 1 - this.theta)) / (1 - zeta2theta / ZETAN);
  }

  /** The next record number, in [0, items). */
  next(): number {
    return fnvhash64Mod(this.zipfian(), this.items);
  }

  /** YCSB's ZipfianGenerator.nextLong over ITEM_COUNT + 1 items, before scrambling. */
  private zipfian(): number {
    const u = this.random();
    const uz = u * ZETAN;
    if (uz < 1) return 0;
    if (uz < this.secondBound) return 1;
    return Math.floor(this.zipfItems * Math.pow(this.eta * u - this.eta + 1, this.alpha));
  }
}
