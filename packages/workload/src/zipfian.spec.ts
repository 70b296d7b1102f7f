import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fnvhash64Mod, negate64, ScrambledZipfian, ZETAN } from './zipfian';

/** YCSB's Utils.fnvhash64, transcribed with BigInt (64-bit wrap-around, Math.abs of the signed result). */
function referenceFnv(val: bigint): bigint {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < 8; i++) {
    const octet = val & 0xffn;
    val >>= 8n;
    hash ^= octet;
    hash = BigInt.asUintN(64, hash * 1099511628211n);
  }
  const signed = BigInt.asIntN(64, hash);
  return signed < 0n ? -signed : signed;
}

/** A seeded uniform [0, 1) source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fnvhash64Mod', () => {
  it('equals YCSB fnvhash64(val) % m for any val < 2^53 and m ≤ 2^36', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer({ min: 1, max: 2 ** 36 }), (val, m) => {
        expect(fnvhash64Mod(val, m)).toBe(Number(referenceFnv(BigInt(val)) % BigInt(m)));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches on the values the zipfian draw produces most (0, 1, 2) and on a large modulus', () => {
    for (const val of [0, 1, 2, 255, 256, 10_000_000_000]) {
      expect(fnvhash64Mod(val, 2 ** 36)).toBe(Number(referenceFnv(BigInt(val)) % 2n ** 36n));
      expect(fnvhash64Mod(val, 10_000)).toBe(Number(referenceFnv(BigInt(val)) % 10_000n));
    }
  });
});

describe('negate64', () => {
  it('is 2^64 - x for any 64-bit x, including a zero low half (the borrow)', () => {
    const check = (hi: number, lo: number): void => {
      const x = (BigInt(hi) << 32n) | BigInt(lo);
      const [nhi, nlo] = negate64(hi, lo);
      expect((BigInt(nhi) << 32n) | BigInt(nlo)).toBe(BigInt.asUintN(64, -x));
    };
    check(0x80000000, 0);
    check(0xffffffff, 0);
    check(0xffffffff, 1);
    check(0x80000000, 0xffffffff);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => check(hi, lo)));
  });
});

describe('ScrambledZipfian (YCSB, constant 0.99)', () => {
  const items = 10_000;
  const draws = 200_000;
  let memo: number[] | undefined;
  const counts = (): number[] => [...(memo ??= draw())];
  const draw = (): number[] => {
    const chooser = new ScrambledZipfian(items, seeded(42));
    const c = new Array<number>(items).fill(0);
    let outside = 0;
    for (let i = 0; i < draws; i++) {
      const n = chooser.next();
      if (Number.isInteger(n) && n >= 0 && n < items) c[n]!++;
      else outside++;
    }
    expect(outside).toBe(0);
    return c;
  };

  it('gives the hottest record about 1/zeta(10^10) ≈ 3.8% of the draws, and it is the scrambled rank 0', () => {
    const c = counts();
    const hottest = c.indexOf(Math.max(...c));
    expect(hottest).toBe(fnvhash64Mod(0, items));
    expect(c[hottest]! / draws).toBeGreaterThan(0.9 / ZETAN);
    expect(c[hottest]! / draws).toBeLessThan(1.15 / ZETAN);
    // rank 1 gets 0.5^0.99 of rank 0's share
    expect(c[fnvhash64Mod(1, items)]! / draws).toBeGreaterThan(0.45 / ZETAN);
  });

  it('is skewed as zipf(0.99) over 10^10 ranks: the hottest 1% of records take about the share of the top 100 ranks', () => {
    const sorted = counts().sort((a, b) => b - a);
    const top1 = sorted.slice(0, items / 100).reduce((s, x) => s + x, 0) / draws;
    let ranks = 0;
    for (let i = 1; i <= items / 100; i++) ranks += Math.pow(i, -0.99);
    const expected = ranks / ZETAN; // ≈ 0.20; scrambling only adds the tail's collisions
    expect(top1).toBeGreaterThan(expected * 0.95);
    expect(top1).toBeLessThan(expected + 0.05);
    expect(sorted.filter((x) => x > 0).length).toBeGreaterThan(items * 0.5);
  });

  it('is repeatable with a seeded source and refuses a bad item count', () => {
    const a = new ScrambledZipfian(items, seeded(7));
    const b = new ScrambledZipfian(items, seeded(7));
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
    expect(() => new ScrambledZipfian(0, seeded(1))).toThrow(RangeError);
    expect(() => new ScrambledZipfian(1.5, seeded(1))).toThrow(RangeError);
  });
});
