import type { NodeId } from '@dynamis/core';
import { quotas } from './quotas';
import type { RingNode } from './ringNode';

/**
 * The next assignment from `previous` (owner per partition) for `nodes`,
 * moving only what must move (as Riak's claim): partitions of nodes that left,
 * and partitions above a node's new quota, go to nodes below theirs. So a join
 * moves partitions only onto the nodes that joined, a leave only off the nodes
 * that left. Each taker (largest deficit first, then smaller id) picks the
 * movable partition that keeps its own partitions, then its zone's, at least
 * `targetN` apart, preferring partitions of the most loaded giver. Pure;
 * O(moved · Q · targetN). Empty when `nodes` is; `previous` must have Q entries.
 */
export function incrementalClaim(
  previous: readonly NodeId[],
  nodes: readonly RingNode[],
  partitionCount: number,
  targetN: number,
): NodeId[] {
  if (nodes.length === 0) return [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const owners: Array<NodeId | undefined> = previous.length === partitionCount ? previous.map((o) => (byId.has(o) ? o : undefined)) : [];
  while (owners.length < partitionCount) owners.push(undefined);
  const count = new Map<NodeId, number>(nodes.map((n) => [n.id, 0]));
  for (const o of owners) if (o !== undefined) count.set(o, count.get(o)! + 1);
  const quota = quotas(nodes, partitionCount, count);
  const cursor = new Map<NodeId, number>();
  for (;;) {
    const taker = neediest(nodes, count, quota);
    if (taker === undefined) break;
    const p = bestPartition(owners, taker, byId, count, quota, targetN, cursor.get(taker.id) ?? 0);
    cursor.set(taker.id, (p + Math.max(targetN, Math.floor(partitionCount / quota.get(taker.id)!))) % partitionCount);
    const giver = owners[p];
    if (giver !== undefined) count.set(giver, count.get(giver)! - 1);
    owners[p] = taker.id;
    count.set(taker.id, count.get(taker.id)! + 1);
  }
  return owners as NodeId[];
}

/** The node furthest below its quota (smaller id on ties), or undefined when none is below. */
function neediest(
  nodes: readonly RingNode[],
  count: ReadonlyMap<NodeId, number>,
  quota: ReadonlyMap<NodeId, number>,
): RingNode | undefined {
  let best: RingNode | undefined;
  let bestDeficit = 0;
  for (const n of nodes) {
    const deficit = quota.get(n.id)! - count.get(n.id)!;
    if (deficit > bestDeficit) [best, bestDeficit] = [n, deficit];
  }
  return best;
}

/**
 * The movable partition (unowned, or owned by a node above its quota) that
 * `taker` should take: the first clockwise from `from` with none of its own
 * partitions and none of its zone's within targetN − 1 on either side (the
 * caller moves `from` on by about Q / quota, spreading a taker's partitions
 * evenly); when none is that clean, the one with fewest of its own, then
 * fewest of its zone's, then of the giver most above quota (unowned first).
 * One exists whenever taker is below quota.
 */
function bestPartition(
  owners: ReadonlyArray<NodeId | undefined>,
  taker: RingNode,
  byId: ReadonlyMap<NodeId, RingNode>,
  count: ReadonlyMap<NodeId, number>,
  quota: ReadonlyMap<NodeId, number>,
  targetN: number,
  from: number,
): number {
  const q = owners.length;
  let best = -1;
  let bestScore: readonly number[] = [];
  for (let i = 0; i < q; i++) {
    const p = (from + i) % q;
    const o = owners[p];
    const excess = o === undefined ? Infinity : count.get(o)! - quota.get(o)!;
    if (excess <= 0) continue;
    let own = 0;
    let zone = 0;
    for (let d = 1; d < targetN && d < q; d++) {
      for (const near of [owners[(p + d) % q], owners[(p - d + q) % q]]) {
        if (near === undefined) continue;
        if (near === taker.id) own++;
        else if (byId.get(near)!.zoneKey === taker.zoneKey) zone++;
      }
    }
    if (own === 0 && zone === 0) return p;
    const score = [own, zone, -excess];
    if (best < 0 || less(score, bestScore)) [best, bestScore] = [p, score];
  }
  return best;
}

function less(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
