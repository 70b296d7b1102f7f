import type { NodeId } from '@dynamis/core';

/**
 * Every node, in the order it serves partition `start`: walk the ring
 * clockwise from `start` in rounds; a round takes each node not yet taken
 * whose zone (`zoneOf`) no node taken in this round has. So the first k nodes
 * are in k distinct zones while k ≤ the number of zones, and without zones
 * (each node its own zone) this is simply the first appearance of each node
 * clockwise. Nodes owning no partition (`idle`, sorted) come last. Pure;
 * O(rounds · Q), rounds ≤ the most nodes any zone has.
 */
export function walkOrder(
  owners: readonly NodeId[],
  start: number,
  zoneOf: (id: NodeId) => string,
  owning: number,
  idle: readonly NodeId[],
): NodeId[] {
  const q = owners.length;
  const taken = new Set<NodeId>();
  const order: NodeId[] = [];
  while (taken.size < owning) {
    const zones = new Set<string>();
    for (let i = 0; i < q && taken.size < owning; i++) {
      const node = owners[(start + i) % q]!;
      if (taken.has(node)) continue;
      const zone = zoneOf(node);
      if (zones.has(zone)) continue;
      zones.add(zone);
      taken.add(node);
      order.push(node);
    }
  }
  return order.concat(idle);
}
