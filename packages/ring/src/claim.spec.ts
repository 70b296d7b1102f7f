import { describe, expect, it } from '@jest/globals';
import type { NodeId } from '@dynamis/core';
import fc from 'fast-check';
import type { ClaimEvent } from './claimEvent';
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
/** The ring built by joining `nodes` one at a time, in the given order. */
const build = (nodes: readonly RingNode[], q: number, targetN: number): readonly NodeId[] =>
  foldClaim(
    nodes.map((node): ClaimEvent => ({ kind: 'join', at: 0, node })),
    q,
    targetN,
  ).owners;
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
        const owners = build(nodes, Q, 3);
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
        let owners = build(toNodes(sets[0]!), Q, 3);
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
      const owners = incrementalClaim(build(nodes, 256, targetN), [...nodes, node(9)], 256, targetN);
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

describe('claim over joins and leaves', () => {
  /** A history: nodes 0..9 joining in a random order, some leaving afterwards in a random order. */
  const historyArb = fc.tuple(
    fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { minLength: 2 }),
    fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    fc.integer({ min: 1, max: 3 }),
  );
  const eventsOf = ([joins, leaves, weight]: [number[], number[], number]): ClaimEvent[] => {
    const events: ClaimEvent[] = joins.map((i, t) => ({ kind: 'join', at: t, node: node(i, 1 + (i % weight)) }));
    const left = leaves.filter((i) => joins.includes(i)).slice(0, joins.length - 1);
    left.forEach((i, t) => events.push({ kind: 'leave', at: joins.length + t, node: node(i, 1 + (i % weight)) }));
    return events;
  };

  it('one more event at the end moves only what it must: a join only onto the new node, a leave only off the leaver', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 10, max: 12 }), fc.boolean(), (history, joiner, leave) => {
        const events = eventsOf(history);
        const before = foldClaim(events, Q, 3);
        const live = before.live.map((n) => n.id);
        const last: ClaimEvent =
          leave && before.live.length > 1
            ? { kind: 'leave', at: 99, node: before.live[joiner % before.live.length]! }
            : { kind: 'join', at: 99, node: node(joiner) };
        const after = foldClaim([...events, last], Q, 3, before);
        expectBalanced(after.owners, after.live);
        const moved = after.owners.flatMap((o, p) => (o === before.owners[p] ? [] : [{ from: before.owners[p]!, to: o }]));
        if (last.kind === 'join') {
          expect(moved.every((m) => m.to === last.node.id)).toBe(true);
          expect(moved).toHaveLength(counts(after.owners).get(last.node.id)!);
        } else {
          expect(moved.every((m) => m.from === last.node.id)).toBe(true);
          expect(moved).toHaveLength(counts(before.owners).get(last.node.id) ?? 0);
          expect(after.live.map((n) => n.id)).toEqual(live.filter((id) => id !== last.node.id));
        }
        expect(after.owners).toEqual(foldClaim([...events, last], Q, 3).owners);
      }),
      { numRuns: 100 },
    );
  });

  it('a leave keeps partitions of one node targetN apart at least as well as a ring built afresh without the leaver', () => {
    /** Pairs of partitions fewer than targetN = 3 apart with the same owner. */
    const crowded = (owners: readonly NodeId[]): number =>
      owners.filter((o, p) => o === owners[(p + 1) % owners.length] || o === owners[(p + 2) % owners.length]).length;
    const nodes = Array.from({ length: 8 }, (_, i) => node(i));
    const events: ClaimEvent[] = nodes.map((n, t) => ({ kind: 'join', at: t, node: n }));
    const before = foldClaim(events, 256, 3);
    for (const leaver of nodes) {
      const after = foldClaim([...events, { kind: 'leave', at: 9, node: leaver }], 256, 3, before);
      const afresh = build(
        nodes.filter((n) => n !== leaver),
        256,
        3,
      );
      expect(crowded(after.owners)).toBeLessThanOrEqual(crowded(afresh));
    }
  });

  it('a history with every node gone owns nothing, and the next join takes every partition', () => {
    const a = node(1);
    const b = node(2);
    const gone = foldClaim(
      [
        { kind: 'join', at: 0, node: a },
        { kind: 'leave', at: 1, node: a },
      ],
      Q,
      3,
    );
    expect(gone.owners).toEqual([]);
    expect(gone.live).toEqual([]);
    const back = foldClaim([...gone.events, { kind: 'join', at: 2, node: b }], Q, 3, gone);
    expect(new Set(back.owners)).toEqual(new Set(['n02']));
    expect(back.owners).toHaveLength(Q);
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
