import type { NodeId } from '@dynamis/core';
import { quotas } from './quotas';
import type { RingNode } from './ringNode';

/**
 * The assignment of a ring built in one go for `nodes` (sorted by id): owner
 * of each of the `partitionCount` partitions, each node owning exactly its
 * quota. Nodes are interleaved by zone (one of each zone in turn) and the
 * partitions dealt out by smooth weighted round-robin, so consecutive
 * partitions belong to different nodes, and to different zones when there are
 * several. Pure; O(Q · nodes). Empty when `nodes` is.
 */
export function scratchClaim(nodes: readonly RingNode[], partitionCount: number): NodeId[] {
  if (nodes.length === 0) return [];
  const order = interleaveByZone(nodes);
  const quota = quotas(order, partitionCount, new Map());
  const total = order.reduce((sum, n) => sum + n.weight, 0);
  const credit = order.map(() => 0);
  const owned = order.map(() => 0);
  const owners: NodeId[] = [];
  for (let p = 0; p < partitionCount; p++) {
    let best = -1;
    for (let i = 0; i < order.length; i++) {
      credit[i]! += order[i]!.weight;
      if (owned[i]! < quota.get(order[i]!.id)! && (best < 0 || credit[i]! > credit[best]!)) best = i;
    }
    credit[best]! -= total;
    owned[best]!++;
    owners.push(order[best]!.id);
  }
  return owners;
}

/** Nodes grouped by zone (zones and members in id order), then taken one from each zone in turn. */
function interleaveByZone(nodes: readonly RingNode[]): RingNode[] {
  const zones = new Map<string, RingNode[]>();
  for (const n of nodes) {
    const group = zones.get(n.zoneKey);
    if (group === undefined) zones.set(n.zoneKey, [n]);
    else group.push(n);
  }
  const groups = [...zones.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const out: RingNode[] = [];
  for (let i = 0; out.length < nodes.length; i++) {
    for (const g of groups) if (i < g.length) out.push(g[i]!);
  }
  return out;
}
