import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from './SeededRandom';

const draw = (r: SeededRandom, n = 20): number[] => Array.from({ length: n }, () => r.next());

describe('SeededRandom', () => {
  it('replays the same sequence for the same seed and differs for another', () => {
    expect(draw(new SeededRandom(42))).toEqual(draw(new SeededRandom(42)));
    expect(draw(new SeededRandom(42))).not.toEqual(draw(new SeededRandom(43)));
    expect(draw(new SeededRandom(0))).not.toEqual(draw(new SeededRandom(-1)));
  });

  it('yields floats in [0, 1) and integers in [0, bound), roughly uniform', () => {
    const r = new SeededRandom(1);
    const counts = [0, 0, 0, 0];
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      const k = r.int(4);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(sum / 20_000).toBeGreaterThan(0.48);
    expect(sum / 20_000).toBeLessThan(0.52);
    for (const c of counts) expect(c).toBeGreaterThan(4500);
    for (let i = 0; i < 100; i++) {
      const v = r.intBetween(-3, 3);
      expect(v >= -3 && v <= 3 && Number.isInteger(v)).toBe(true);
    }
    expect(r.int(1)).toBe(0);
  });

  it('rejects bad arguments with INVALID_ARGUMENT', () => {
    const r = new SeededRandom(1);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => r.int(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(() => new SeededRandom(0.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => r.intBetween(3, 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('forks streams that do not depend on the parent draws or on other forks', () => {
    const p1 = new SeededRandom(7);
    const a1 = p1.fork('n1');
    const p2 = new SeededRandom(7);
    draw(p2, 100);
    p2.fork('n0');
    const b2 = p2.fork('n2');
    const a2 = p2.fork('n1');
    expect(a1.key).toBe('7/n1');
    expect(draw(a1)).toEqual(draw(a2));
    expect(draw(p1.fork('n2'))).toEqual(draw(b2));
    expect(draw(new SeededRandom(7).fork('n1'))).not.toEqual(draw(new SeededRandom(7).fork('n2')));
    expect(draw(new SeededRandom(7).fork('n1'))).not.toEqual(draw(new SeededRandom(8).fork('n1')));
    expect(draw(new SeededRandom(7).fork('n1'))).not.toEqual(draw(new SeededRandom(7)));
  });

  it('forks of forks are deterministic and recreatable from their key', () => {
    const f = new SeededRandom(9).fork('a').fork('b');
    expect(f.key).toBe('9/a/b');
    expect(draw(new SeededRandom(f.key))).toEqual(draw(new SeededRandom(9).fork('a').fork('b')));
  });

  it('chance() respects the edges without drawing', () => {
    const a = new SeededRandom(3);
    const b = new SeededRandom(3);
    expect(a.chance(0)).toBe(false);
    expect(a.chance(1)).toBe(true);
    expect(a.next()).toBe(b.next());
  });
});
