import { DynamisError, type NodeId, type PartitionTransfer, type Placement } from '@dynamis/core';

/**
 * The partitions whose first-`n` replica sets differ from `older` to `newer`
 * (see Placement.transfers), ordered by partition. Throws INVALID_ARGUMENT
 * when the two have different partition counts.
 */
export function transfersBetween(older: Placement, newer: Placement, n: number): PartitionTransfer[] {
  if (older.partitionCount !== newer.partitionCount) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `placements have ${older.partitionCount} and ${newer.partitionCount} partitions; Q is fixed at cluster creation`,
      {
        details: { older: older.partitionCount, newer: newer.partitionCount },
      },
    );
  }
  const out: PartitionTransfer[] = [];
  for (let p = 0; p < newer.partitionCount; p++) {
    const from = older.preferenceList(p, n);
    const to = newer.preferenceList(p, n);
    const gaining = to.filter((x) => !from.includes(x));
    const losing = from.filter((x) => !to.includes(x));
    if (gaining.length > 0 || losing.length > 0)
      out.push(Object.freeze({ partition: p, from, to, gaining: freeze(gaining), losing: freeze(losing) }));
  }
  return out;
}

function freeze(ids: NodeId[]): readonly NodeId[] {
  return Object.freeze(ids);
}
