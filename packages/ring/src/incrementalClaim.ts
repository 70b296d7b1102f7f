import type { NodeId } from '@dynamis/core';
import { quotas } from './quotas';
import type { RingNode } from './ringNode';

/** Most movable partitions bestPartition weighs when none is clean (see there). */
const SCAN_BUDGET = 64;

/** The claim's working state, nodes by their index in `nodes` (owner -1: none). */
interface State {
  readonly owners: Int32Array;
  readonly count: Int32Array;
  readonly quota: Int32Array;
  readonly zone: Int32Array;
  readonly targetN: number;
}

/**
 * The next assignment from `previous` (owner per partition) for `nodes`,
 * moving only what must move (as Riak's claim): partitions of nodes that left,
 * and partitions above a node's new quota, go to nodes below theirs. So a join
 * moves partitions only onto the nodes that joined, a leave only off the nodes
 * that left. Each taker (largest deficit first, then earlier in `nodes`) picks
 * the movable partition that keeps its own partitions, then its zone's, at
 * least min(targetN, ⌊Q / its quota⌋) apart (as evenly spread as its share
 * allows), preferring partitions of the most loaded giver.
 * Pure; O(moved · (nodes + Q + SCAN_BUDGET · targetN)). Empty when `nodes`
 * is; a `previous` without Q entries counts as no owners at all.
 */
export function incrementalClaim(
  previous: readonly NodeId[],
  nodes: readonly RingNode[],
  partitionCount: number,
  targetN: number,
): NodeId[] {
  if (nodes.length === 0) return [];
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const owners = new Int32Array(partitionCount).fill(-1);
  if (previous.length === partitionCount) previous.forEach((o, p) => (owners[p] = index.get(o) ?? -1));
  claimStep(owners, nodes, targetN);
  return Array.from(owners, (o) => nodes[o]!.id);
}

/**
 * incrementalClaim on node indices, in place: `owners` holds, per partition,
 * an index into `nodes` or -1 for none, and on return an index for every
 * partition (when `nodes` is not empty).
 */
export function claimStep(owners: Int32Array, nodes: readonly RingNode[], targetN: number): void {
  if (nodes.length === 0) return;
  const partitionCount = owners.length;
  const zoneIds = new Map<string, number>();
  const s: State = {
    owners,
    count: new Int32Array(nodes.length),
    quota: new Int32Array(nodes.length),
    zone: Int32Array.from(nodes, (n) => zoneIds.get(n.zoneKey) ?? zoneIds.set(n.zoneKey, zoneIds.size).get(n.zoneKey)!),
    targetN,
  };
  for (let p = 0; p < partitionCount; p++) if (owners[p]! >= 0) s.count[owners[p]!]!++;
  const quota = quotas(nodes, partitionCount, new Map(nodes.map((n, i) => [n.id, s.count[i]!])));
  nodes.forEach((n, i) => (s.quota[i] = quota.get(n.id)!));
  const cursor = new Int32Array(nodes.length);
  for (;;) {
    const taker = neediest(s);
    if (taker < 0) break;
    const gap = Math.max(1, Math.floor(partitionCount / s.quota[taker]!));
    const p = bestPartition(s, taker, cursor[taker]!, Math.min(targetN, gap));
    cursor[taker] = (p + gap) % partitionCount;
    const giver = owners[p]!;
    if (giver >= 0) s.count[giver]!--;
    owners[p] = taker;
    s.count[taker]!++;
  }
}

/** The node furthest below its quota (earlier on ties), or -1 when none is below. */
function neediest(s: State): number {
  let best = -1;
  let bestDeficit = 0;
  for (let i = 0; i < s.count.length; i++) {
    const deficit = s.quota[i]! - s.count[i]!;
    if (deficit > bestDeficit) [best, bestDeficit] = [i, deficit];
  }
  return best;
}

/**
 * The movable partition (unowned, or owned by a node above its quota) that
 * `taker` should take: the first clockwise from `from` with none of its own
 * partitions and none of its zone's within `spacing` − 1 on either side (the
 * caller moves `from` on by about Q / quota, spreading a taker's partitions
 * evenly); when none of the first SCAN_BUDGET movable partitions from `from`
 * is that clean, the one of them with fewest of its own, then fewest of its
 * zone's, then of the giver most above quota (unowned first), the earliest
 * on ties. The budget bounds a pick to O(SCAN_BUDGET · targetN) steps plus
 * the skipped unmovable partitions, where a full scan would make a ring built
 * from one node up cost O(Q²). One exists whenever taker is below quota.
 */
function bestPartition(s: State, taker: number, from: number, spacing: number): number {
  const q = s.owners.length;
  const myZone = s.zone[taker]!;
  let best = -1;
  let bestOwn = 0;
  let bestZone = 0;
  let bestExcess = 0;
  let looked = 0;
  for (let i = 0; i < q; i++) {
    const p = (from + i) % q;
    const o = s.owners[p]!;
    const excess = o < 0 ? Infinity : s.count[o]! - s.quota[o]!;
    if (excess <= 0) continue;
    let own = 0;
    let zone = 0;
    for (let d = 1; d < spacing && d < q; d++) {
      for (let side = 0; side < 2; side++) {
        const n = s.owners[side === 0 ? (p + d) % q : (p - d + q) % q]!;
        if (n === taker) own++;
        else if (n >= 0 && s.zone[n] === myZone) zone++;
      }
    }
    if (own === 0 && zone === 0) return p;
    const better = own !== bestOwn ? own < bestOwn : zone !== bestZone ? zone < bestZone : excess > bestExcess;
    if (best < 0 || better) [best, bestOwn, bestZone, bestExcess] = [p, own, zone, excess];
    if (++looked >= SCAN_BUDGET) break;
  }
  return best;
}
