import { describe, expect, it } from '@jest/globals';
import type { Member, NodeId, Placement } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';

/**
 * The ring figures of issues 9 and 11, over 100,000 keys: movement on a join
 * and a leave of any node, balance over 10 nodes and after joins and leaves,
 * distinct replicas, one replica per zone. Figures are printed.
 */
const KEYS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const up = (id: NodeId, zone?: string): Member => ({ id, address: `sim://${id}`, status: 'up', ...(zone === undefined ? {} : { zone }) });
const ids = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => `node-${i + 1}`);

const timed = (id: NodeId, joinedAt: number): Member => ({ ...up(id), joinedAt });
const gone = (m: Member, leftAt: number): Member => ({ ...m, status: 'left', leftAt });

/** Replica moves from `a` to `b` over KEYS (first `n` replicas): per node, the replicas it gains and loses. */
function moves(a: Placement, b: Placement, n: number): { total: number; gained: Map<NodeId, number>; lost: Map<NodeId, number> } {
  const gained = new Map<NodeId, number>();
  const lost = new Map<NodeId, number>();
  let total = 0;
  for (const key of KEYS) {
    const x = a.preferenceList(key, n);
    const y = b.preferenceList(key, n);
    for (const id of y) {
      if (x.includes(id)) continue;
      total++;
      gained.set(id, (gained.get(id) ?? 0) + 1);
    }
    for (const id of x) if (!y.includes(id)) lost.set(id, (lost.get(id) ?? 0) + 1);
  }
  return { total, gained, lost };
}

/** Keys per node among the first `n` replicas of every key. */
function load(p: Placement, n: number): Map<NodeId, number> {
  const out = new Map<NodeId, number>(p.nodes.map((id) => [id, 0]));
  for (const key of KEYS) for (const id of p.preferenceList(key, n)) out.set(id, out.get(id)! + 1);
  return out;
}

describe('ring figures (100,000 keys, Q = 256)', () => {
  it('adding a 5th node to 4 moves 20% ± 3% of the keys, all of them onto the new node', () => {
    const ring = new RingPartitioner();
    const four = ring.update(ids(4).map((id) => up(id)));
    const five = ring.update(ids(5).map((id) => up(id)));
    let moved = 0;
    const movedTo = new Set<NodeId>();
    for (const key of KEYS) {
      const before = four.preferenceList(key, 1)[0];
      const after = five.preferenceList(key, 1)[0]!;
      if (before !== after) {
        moved++;
        movedTo.add(after);
      }
    }
    expect(Math.abs(moved / KEYS.length - 0.2)).toBeLessThanOrEqual(0.03);
    expect([...movedTo]).toEqual(['node-5']);
  });

  it('over 10 nodes the most loaded holds at most 1.15 times the mean, as owner and as any of 3 replicas', () => {
    const ten = new RingPartitioner().update(ids(10).map((id) => up(id)));
    for (const n of [1, 3]) {
      const counts = [...load(ten, n).values()];
      expect(counts).toHaveLength(10);
      expect(Math.max(...counts) / ((KEYS.length * n) / 10)).toBeLessThanOrEqual(1.15);
    }
  });

  it('preference lists hold N distinct nodes, also after joins and leaves', () => {
    const ring = new RingPartitioner();
    const placements = [
      ring.update(ids(6).map((id) => up(id))),
      ring.update(ids(8).map((id) => up(id))),
      ring.update(ids(7).map((id) => up(id))),
    ];
    for (const p of placements) {
      const short = [...p.partitions.map((b) => b.id), ...KEYS].filter((target) => new Set(p.preferenceList(target, 3)).size !== 3);
      expect(short).toEqual([]);
    }
  });

  it('with 3 zones and N = 3 every key has one replica per zone, built at once and after a join', () => {
    const zoned = (n: number): Member[] => ids(n).map((id, i) => up(id, ['east', 'west', 'north'][i % 3]));
    const ring = new RingPartitioner();
    const zoneOf = new Map(zoned(10).map((m) => [m.id, m.zone]));
    for (const p of [ring.update(zoned(7)), ring.update(zoned(10))]) {
      const sameZone = KEYS.filter((key) => new Set(p.preferenceList(key, 3).map((id) => zoneOf.get(id))).size !== 3);
      expect(sameZone).toEqual([]);
    }
  });

  it("a join with any id moves within 10% of the ideal (the new node's share of replicas), all onto the new node", () => {
    const four = ids(4).map((id, i) => timed(id, 1000 + i));
    for (const id of ['node-0', 'node-2b', 'node-9']) {
      const ring = new RingPartitioner();
      const before = ring.update(four);
      const after = ring.update([timed(id, 5000), ...four]);
      for (const n of [1, 3]) {
        const m = moves(before, after, n);
        const ideal = (KEYS.length * n) / 5;
        console.log(`join of ${id} to node-1..4, N=${n}: ${m.total} replica moves, ideal ${ideal}, ratio ${(m.total / ideal).toFixed(3)}`);
        expect(m.total / ideal).toBeLessThanOrEqual(1.1);
        expect([...m.gained.keys()]).toEqual([id]);
      }
    }
  });

  it("a leave of any node moves within 10% of the ideal (the leaver's replicas), as owner all off the leaver", () => {
    const five = ids(5).map((id, i) => timed(id, 1000 + i));
    for (const leaver of ids(5)) {
      const ring = new RingPartitioner();
      const before = ring.update(five);
      const after = ring.update(five.map((m) => (m.id === leaver ? gone(m, 9000) : m)));
      expect(after.nodes).not.toContain(leaver);
      for (const n of [1, 3]) {
        const m = moves(before, after, n);
        const ideal = load(before, n).get(leaver)!;
        console.log(
          `leave of ${leaver} from node-1..5, N=${n}: ${m.total} replica moves, ideal ${ideal}, ratio ${(m.total / ideal).toFixed(3)}`,
        );
        expect(m.total / ideal).toBeLessThanOrEqual(1.1);
        // As owner only the leaver loses; among 3 replicas a neighbour already in a list can push a third node out.
        if (n === 1) expect([...m.lost.keys()]).toEqual([leaver]);
      }
    }
  });

  it('after a mix of joins and leaves the most loaded holds at most 1.15 times the mean, and lists hold N distinct nodes', () => {
    let members = ids(8).map((id, i) => timed(id, 1000 + i));
    const ring = new RingPartitioner();
    ring.update(members);
    const steps: Array<(t: number) => void> = [
      (t) => (members = [...members, timed('node-0', t)]),
      (t) => (members = members.map((m) => (m.id === 'node-3' ? gone(m, t) : m))),
      (t) => (members = [...members, timed('node-12', t)]),
      (t) => (members = members.map((m) => (m.id === 'node-1' ? gone(m, t) : m))),
      (t) => (members = [...members, timed('node-5b', t), timed('node-11', t)]),
      (t) => (members = members.map((m) => (m.id === 'node-7' ? gone(m, t) : m))),
      (t) => (members = [...members, timed('node-10', t)]),
    ];
    steps.forEach((step, i) => step(2000 + i));
    const last = ring.update(members);
    expect(last.nodes).toHaveLength(10);
    for (const n of [1, 3]) {
      const counts = [...load(last, n).values()];
      const ratio = Math.max(...counts) / ((KEYS.length * n) / 10);
      console.log(`after 5 joins and 3 leaves (10 nodes), N=${n}: most loaded ${ratio.toFixed(3)}× the mean`);
      expect(ratio).toBeLessThanOrEqual(1.15);
    }
    expect(KEYS.filter((key) => new Set(last.preferenceList(key, 3)).size !== 3)).toEqual([]);
    expect(last.hash).toBe(new RingPartitioner().update([...members].reverse()).hash);
  });
});
