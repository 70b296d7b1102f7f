import { describe, expect, it } from '@jest/globals';
import { SeededSource } from './SeededSource';

describe('SeededSource', () => {
  it('repeats a seed, differs by seed and by salt, and stays in [0, 1) with a mean near 1/2', () => {
    const take = (s: SeededSource): number[] => Array.from({ length: 10_000 }, () => s.next());
    const a = take(new SeededSource(42));
    expect(take(new SeededSource(42))).toEqual(a);
    expect(take(new SeededSource(43))).not.toEqual(a);
    expect(take(new SeededSource(42, 1))).not.toEqual(a);
    expect(take(new SeededSource(2 ** 40 + 42))).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Math.abs(a.reduce((x, y) => x + y, 0) / a.length - 0.5)).toBeLessThan(0.01);
  });

  it('draws integers in [0, bound) covering the range', () => {
    const s = new SeededSource(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(s.int(7));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
