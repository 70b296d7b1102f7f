import type { NodeId } from '@dynamis/core';
import { claimStep } from './incrementalClaim';
import type { RingNode } from './ringNode';

/** A claim result: the nodes (in claim order) and the owner of each partition. */
export interface Claim {
  readonly nodes: readonly RingNode[];
  readonly owners: readonly NodeId[];
}

/**
 * The assignment for `nodes` (sorted by claimOrder): a pure function of that
 * list. The ring is built as if the nodes had joined one at a time in claim
 * order, each join an incrementalClaim of the ring of the nodes before it. So
 * adding nodes that sort after every current node moves partitions only onto
 * them (the minimum); any other change re-derives the ring from the first
 * node that differs. `from`, when given, must be a Claim this function
 * returned for the same partitionCount and targetN: when its nodes are a
 * prefix of `nodes` (same ids, weights and zone keys), the fold continues
 * from it instead of from the start, with the same result. Empty when
 * `nodes` is. Cost: one incrementalClaim per node not in the reused prefix.
 */
export function foldClaim(nodes: readonly RingNode[], partitionCount: number, targetN: number, from?: Claim): NodeId[] {
  if (nodes.length === 0) return [];
  const owners = new Int32Array(partitionCount).fill(-1);
  let start = 0;
  if (from !== undefined && from.owners.length === partitionCount && isPrefix(from.nodes, nodes)) {
    const index = new Map(from.nodes.map((n, i) => [n.id, i]));
    from.owners.forEach((o, p) => (owners[p] = index.get(o)!));
    start = from.nodes.length;
  }
  // Node i of `nodes` is node i of every prefix, so indices stay valid from one join to the next.
  for (let i = start + 1; i <= nodes.length; i++) claimStep(owners, nodes.slice(0, i), targetN);
  return Array.from(owners, (o) => nodes[o]!.id);
}

function isPrefix(prefix: readonly RingNode[], nodes: readonly RingNode[]): boolean {
  if (prefix.length === 0 || prefix.length > nodes.length) return false;
  return prefix.every((n, i) => n.id === nodes[i]!.id && n.weight === nodes[i]!.weight && n.zoneKey === nodes[i]!.zoneKey);
}
