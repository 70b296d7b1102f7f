import { describe, expect, it } from '@jest/globals';
import type { NodeId } from '@dynamis/core';
import fc from 'fast-check';
import { foldClaim } from './foldClaim';
import { incrementalClaim } from './incrementalClaim';
import { quotas } from './quotas';
import { claimOrder, type RingNode } from './ringNode';

const Q = 64;
const node = (i: number, weight = 1, zone?: string): RingNode => ({
  id: `n${String(i).padStart(2, '0')}`,
  weight,
  zoneKey: zone ?? `n:n${i}`,
});

function counts(owners: readonly NodeId[]): Map<NodeId, number> {
  const out = new Map<NodeId, number>();
  for (const o of owners) out.set(o, (out.get(o) ?? 0) + 1);
  return out;
}

/** Each node owns its exact share Q·w/W rounded down or up, and nothing else owns a partition. */
function expectBalanced(owners: readonly NodeId[], nodes: readonly RingNode[]): void {
  expect(owners).toHaveLength(Q);
  const total = nodes.reduce((s, n) => s + n.weight, 0);
  const c = counts(owners);
  for (const id of c.keys()) expect(nodes.some((n) => n.id === id)).toBe(true);
  for (const n of nodes) expect(Math.abs((c.get(n.id) ?? 0) - (Q * n.weight) / total)).toBeLessThan(1);
}

/** A member set: distinct ids 0..11 with weights 1..3. */
const setArb = fc.uniqueArray(fc.record({ i: fc.integer({ min: 0, max: 11 }), w: fc.integer({ min: 1, max: 3 }) }), {
  minLength: 1,
  maxLength: 8,
  selector: (r) => r.i,
});
const toNodes = (set: ReadonlyArray<{ i: number; w: number }>): RingNode[] =>
  set.map((r) => node(r.i, r.w)).sort((a, b) => (a.id < b.id ? -1 : 1));

describe('quotas', () => {
  it('sum to Q, each within 1 of the exact share; ties go to the nodes that own more now', () => {
    const nodes = [node(1), node(2), node(3)];
    expect([...quotas(nodes, 8, new Map()).values()]).toEqual([3, 3, 2]);
    expect([...quotas(nodes, 8, new Map([['n03', 4]])).entries()]).toEqual([
      ['n01', 3],
      ['n02', 2],
      ['n03', 3],
    ]);
  });
});

describe('claim', () => {
  it('a ring built at once gives each node its share and neighbours different owners', () => {
    fc.assert(
      fc.property(setArb, (set) => {
        const nodes = toNodes(set);
        const owners = foldClaim(nodes, Q, 3);
        expectBalanced(owners, nodes);
        if (nodes.every((n) => n.weight === 1) && nodes.length > 1) {
          for (let p = 0; p + 1 < Q; p++) expect(owners[p]).not.toBe(owners[p + 1]);
        }
      }),
    );
  });

  it('every change of members keeps the shares and moves the fewest partitions: only onto nodes that gain, only off nodes that lose', () => {
    fc.assert(
      fc.property(fc.array(setArb, { minLength: 2, maxLength: 5 }), (sets) => {
        let owners = foldClaim(toNodes(sets[0]!), Q, 3);
        for (const set of sets.slice(1)) {
          const nodes = toNodes(set);
          const next = incrementalClaim(owners, nodes, Q, 3);
          expectBalanced(next, nodes);
          const before = counts(owners);
          const after = counts(next);
          const gain = (id: NodeId): number => (after.get(id) ?? 0) - (before.get(id) ?? 0);
          const moved = next.filter((o, p) => o !== owners[p]);
          expect(moved.length).toBe(nodes.reduce((s, n) => s + Math.max(0, gain(n.id)), 0));
          next.forEach((o, p) => {
            if (o === owners[p]) return;
            expect(gain(o)).toBeGreaterThan(0);
            expect(gain(owners[p]!)).toBeLessThan(0);
          });
          owners = next;
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a joining node takes partitions at least targetN apart from each other (Riak target_n spacing)', () => {
    for (const targetN of [2, 3, 4]) {
      const nodes = Array.from({ length: 9 }, (_, i) => node(i));
      const owners = incrementalClaim(foldClaim(nodes, 256, targetN), [...nodes, node(9)], 256, targetN);
      const taken = owners.flatMap((o, p) => (o === 'n09' ? [p] : []));
      expect(taken.length).toBeGreaterThanOrEqual(25);
      taken.forEach((p, i) => {
        const next = taken[(i + 1) % taken.length]!;
        expect((next - p + 256) % 256).toBeGreaterThanOrEqual(targetN);
      });
    }
  });

  it('a joining node keeps away from its zone when it can', () => {
    const zone = (id: string): RingNode => ({ id, weight: 1, zoneKey: `z:${id[0]!}` });
    const nodes = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map(zone);
    const previous = ['a1', 'b1', 'c1', 'b2', 'c2', 'b1', 'c1', 'b2', 'c2', 'b1', 'c1', 'b2', 'c2', 'b1', 'c1', 'b2'];
    const owners = incrementalClaim(previous, nodes, 16, 3);
    const zoneA = owners.flatMap((o, p) => (o.startsWith('a') ? [p] : []));
    expect(zoneA.length).toBeGreaterThan(3);
    zoneA.forEach((p, i) => {
      const next = zoneA[(i + 1) % zoneA.length]!;
      expect((next - p + 16) % 16).toBeGreaterThanOrEqual(3);
    });
  });
});

describe('claimOrder', () => {
  it('orders digit runs by value and everything else by code units, the same for any permutation', () => {
    const ids = ['node-10', 'b', 'n01', 'node-2', 'n10', 'n1', 'a9', 'n2', 'a10', 'n', 'node-9', 'n02'];
    const want = ['a9', 'a10', 'b', 'n', 'n01', 'n1', 'n02', 'n2', 'n10', 'node-2', 'node-9', 'node-10'];
    const sortIds = (xs: string[]): string[] =>
      xs
        .map((id) => ({ id }))
        .sort(claimOrder)
        .map((x) => x.id);
    expect(sortIds(ids)).toEqual(want);
    fc.assert(fc.property(fc.shuffledSubarray(ids, { minLength: ids.length }), (shuffled) => expect(sortIds(shuffled)).toEqual(want)));
  });
});
