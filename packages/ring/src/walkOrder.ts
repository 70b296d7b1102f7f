import type { NodeId } from '@dynamis/core';

/**
 * Every node, in the order it serves partition `start`: walk the ring
 * clockwise from `start` in rounds; a round takes each node not yet taken
 * whose zone (`zoneOf`) no node taken in this round has. So the first k nodes
 * are in k distinct zones while k ≤ the number of zones, and without zones
 * (each node its own zone) this is simply the first appearance of each node
 * clockwise. Nodes owning no partition (`idle`, sorted) come last. Stops
 * once `limit` nodes are taken: the result is then exactly the first `limit`
 * of the full order (picks are only ever appended). Pure; O(rounds · Q) for
 * the full order, rounds ≤ the most nodes any zone has; a short prefix
 * usually costs a few steps.
 */
export function walkOrder(
  owners: readonly NodeId[],
  start: number,
  zoneOf: (id: NodeId) => string,
  owning: number,
  idle: readonly NodeId[],
  limit: number = Infinity,
): NodeId[] {
  const q = owners.length;
  const taken = new Set<NodeId>();
  const order: NodeId[] = [];
  const want = Math.min(owning, limit);
  while (taken.size < want) {
    const zones = new Set<string>();
    for (let i = 0; i < q && taken.size < want; i++) {
      const node = owners[(start + i) % q]!;
      if (taken.has(node)) continue;
      const zone = zoneOf(node);
      if (zones.has(zone)) continue;
      zones.add(zone);
      taken.add(node);
      order.push(node);
    }
  }
  return limit <= owning ? order : order.concat(idle).slice(0, limit);
}
