import type { NodeId } from '../ports/types';
import type { Placement } from '../ports/Partitioner';
import type { AdminRing } from './adminProtocol';

/**
 * The ring table of `placement` for `n` replicas (adminRingSchema): every
 * partition's preference list as indexes into the sorted list of the nodes
 * it names. Pure.
 */
export function ringTable(nodeId: NodeId, placement: Placement, n: number): AdminRing {
  const lists = placement.partitions.map((p) => placement.preferenceList(p.id, n));
  const nodes = [...new Set(lists.flat())].sort();
  const index = new Map(nodes.map((id, i) => [id, i]));
  const replicas = lists.map((list) => list.map((id) => index.get(id)!));
  return { nodeId, placementHash: placement.hash, partitionCount: placement.partitionCount, n, nodes, replicas };
}
