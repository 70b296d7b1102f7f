import { describe, expect, it } from '@jest/globals';
import type { Member, NodeId, Placement } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';

/**
 * The ring figures of issue 9, over 100,000 keys: movement on a join,
 * balance over 10 nodes, distinct replicas, one replica per zone.
 */
const KEYS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const up = (id: NodeId, zone?: string): Member => ({ id, address: `sim://${id}`, status: 'up', ...(zone === undefined ? {} : { zone }) });
const ids = (n: number): NodeId[] => Array.from({ length: n }, (_, i) => `node-${i + 1}`);

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
});
