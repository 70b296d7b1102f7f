import { claimOrder, type RingNode } from './ringNode';

/**
 * One step of the claim sequence: a node joins (at its `joinedAt`) or leaves
 * (at its `leftAt`). `at` is in ms on the cluster's wall clocks; members that
 * carry no time (static membership) join at 0.
 */
export interface ClaimEvent {
  readonly kind: 'join' | 'leave';
  readonly at: number;
  readonly node: RingNode;
}

/**
 * The order every node agrees on: by time, then by claimOrder of the ids, a
 * join before a leave of the same node. A total order on events of distinct
 * members that depends on the two events alone, so sorting any permutation
 * of an event set gives the same list; members all at time 0 come in claim
 * order (today's static clusters).
 */
export function eventOrder(a: ClaimEvent, b: ClaimEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  const byId = claimOrder(a.node, b.node);
  if (byId !== 0) return byId;
  return a.kind === b.kind ? 0 : a.kind === 'join' ? -1 : 1;
}

/** True when `a` and `b` are the same step (kind, time, id, weight, zone key). */
export function sameEvent(a: ClaimEvent, b: ClaimEvent): boolean {
  return (
    a.kind === b.kind && a.at === b.at && a.node.id === b.node.id && a.node.weight === b.node.weight && a.node.zoneKey === b.node.zoneKey
  );
}
