import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sloppyPlan } from './sloppyPlan';

describe('sloppyPlan', () => {
  it('N=3 of 5, two primaries down: one primary and two fallbacks, in order', () => {
    const alive = new Set(['n1', 'n2', 'n5']);
    expect(sloppyPlan(['n3', 'n1', 'n4'], ['n5', 'n2'], (id) => alive.has(id), 'n1')).toEqual({
      primaries: ['n1'],
      hinted: [
        { holder: 'n5', target: 'n3' },
        { holder: 'n2', target: 'n4' },
      ],
      uncovered: [],
    });
  });

  it('self counts as alive; without live fallbacks down primaries stay uncovered', () => {
    expect(sloppyPlan(['a', 'b'], ['c'], () => false, 'a')).toEqual({ primaries: ['a'], hinted: [], uncovered: ['b'] });
    expect(sloppyPlan(['a', 'b'], ['c'], () => false, 'c')).toEqual({
      primaries: [],
      hinted: [{ holder: 'c', target: 'a' }],
      uncovered: ['b'],
    });
  });

  it('holders are distinct live non-primaries, each down primary is hinted or uncovered, as many hinted as possible', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `n${i}`);
    fc.assert(
      fc.property(fc.shuffledSubarray(ids, { minLength: 1 }), fc.subarray(ids), fc.integer({ min: 1, max: 5 }), (order, up, n) => {
        const prefs = order.slice(0, n);
        const fallbacks = order.slice(n);
        const self = order[0]!;
        const alive = (id: string) => up.includes(id);
        const plan = sloppyPlan(prefs, fallbacks, alive, self);
        const holders = plan.hinted.map((h) => h.holder);
        expect(new Set(holders).size).toBe(holders.length);
        for (const h of holders) expect(!prefs.includes(h) && (h === self || alive(h))).toBe(true);
        const down = prefs.filter((p) => p !== self && !alive(p));
        expect([...plan.hinted.map((h) => h.target), ...plan.uncovered].sort()).toEqual(down.sort());
        expect(plan.primaries).toEqual(prefs.filter((p) => p === self || alive(p)));
        const spare = fallbacks.filter((f) => f === self || alive(f)).length;
        expect(plan.hinted).toHaveLength(Math.min(down.length, spare));
      }),
    );
  });
});
