import { describe, expect, it } from '@jest/globals';
import { SeededSource } from './SeededSource';
import { ZipfianGenerator } from './ZipfianGenerator';

const zeta = (n: number): number => {
  let s = 0;
  for (let i = 1; i <= n; i++) s += Math.pow(i, -0.99);
  return s;
};

describe('ZipfianGenerator (YCSB, constant 0.99)', () => {
  const share = (gen: ZipfianGenerator, items: number, draws: number): number[] => {
    const c = new Array<number>(items).fill(0);
    for (let i = 0; i < draws; i++) c[gen.next(items)]!++;
    return c.map((x) => x / draws);
  };

  it('gives rank r about r^-0.99 / zeta(n) of the draws, within [0, n)', () => {
    const source = new SeededSource(1);
    const s = share(new ZipfianGenerator(() => source.next()), 1000, 100_000);
    expect(Math.abs(s[0]! - 1 / zeta(1000)) / (1 / zeta(1000))).toBeLessThan(0.05);
    expect(Math.abs(s[1]! - Math.pow(2, -0.99) / zeta(1000)) / (Math.pow(2, -0.99) / zeta(1000))).toBeLessThan(0.08);
    const top10 = s.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(Math.abs(top10 - zeta(10) / zeta(1000))).toBeLessThan(0.02);
  });

  it('draws the same after growing its count incrementally as when built for the larger count', () => {
    const a = new SeededSource(2);
    const b = new SeededSource(2);
    const grown = new ZipfianGenerator(() => a.next());
    const fresh = new ZipfianGenerator(() => b.next());
    for (let n = 10; n < 500; n++) grown.next(n); // extends zeta step by step
    for (let n = 10; n < 500; n++) fresh.next(500); // same number of draws
    for (let i = 0; i < 1000; i++) expect(grown.next(500)).toBe(fresh.next(500));
    expect(() => grown.next(0)).toThrow(RangeError);
  });
});
