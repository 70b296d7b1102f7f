import type { NodeId } from '@dynamis/core';
import type { RingNode } from './ringNode';

/**
 * How many of `partitionCount` partitions each node should own: its share
 * Q·w/W rounded by the largest-remainder method, so the quotas sum to Q and
 * each is within 1 of the exact share. Ties between equal remainders go to the
 * node that owns more now (`current`), then to the smaller id, so a balanced
 * assignment is its own fixed point and nothing moves without cause.
 */
export function quotas(nodes: readonly RingNode[], partitionCount: number, current: ReadonlyMap<NodeId, number>): Map<NodeId, number> {
  const total = nodes.reduce((sum, n) => sum + n.weight, 0);
  const shares = nodes.map((n) => {
    const exact = (partitionCount * n.weight) / total;
    const floor = Math.floor(exact);
    return { id: n.id, floor, frac: exact - floor, now: current.get(n.id) ?? 0 };
  });
  let left = partitionCount - shares.reduce((sum, s) => sum + s.floor, 0);
  const order = [...shares].sort((a, b) => b.frac - a.frac || b.now - a.now || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out = new Map<NodeId, number>(shares.map((s) => [s.id, s.floor]));
  for (const s of order) {
    if (left <= 0) break;
    out.set(s.id, s.floor + 1);
    left--;
  }
  return out;
}
