import { describe, expect, it } from '@jest/globals';
import type { NodeId, Partitioner, Placement } from '@dynamis/core';
import { RepairHorizons } from './RepairHorizons';

/** A two-partition placement: partition 0 on [a, b, c], partition 1 on [b, c, d]. */
function placement(lists: readonly (readonly NodeId[])[]): Placement {
  return {
    partitionCount: lists.length,
    preferenceList: (p: string | number, n: number) => lists[p as number]!.slice(0, n),
  } as unknown as Placement;
}

describe('RepairHorizons', () => {
  it('is, per partition, the least syncedAt over the other replicas; -Infinity until each synced, +Infinity when there is none', () => {
    let current = placement([
      ['a', 'b', 'c'],
      ['b', 'c', 'd'],
    ]);
    const partitioner = { placement: () => current } as Partitioner;
    const h = new RepairHorizons('a', 3, partitioner);
    expect([...h.horizons()]).toEqual([-Infinity, -Infinity]); // 1: a is no replica, so it waits for all three
    h.record(0, 'b', 100);
    expect([...h.horizons()]).toEqual([-Infinity, -Infinity]);
    h.record(0, 'c', 50);
    expect([...h.horizons()]).toEqual([50, -Infinity]);
    h.record(0, 'c', 40); // an older sync does not move it back
    expect(h.syncedAt(0, 'c')).toBe(50);
    h.record(0, 'c', 300);
    expect([...h.horizons()]).toEqual([100, -Infinity]);
    expect(h.horizons()).toBe(h.horizons()); // cached while nothing changed
    expect([...new RepairHorizons('a', 1, partitioner).horizons()]).toEqual([Infinity, -Infinity]); // n = 1: a alone holds 0

    current = placement([
      ['a', 'b', 'e'],
      ['b', 'c', 'd'],
    ]); // e replaces c: it has never synced
    expect([...h.horizons()]).toEqual([-Infinity, -Infinity]);
  });
});
