import { MembershipToken, type DynamisNode } from '@dynamis/core';

/** `node`'s view of the members, as printed: `n1 up, n2 up, n3 up` (sorted by id). */
export function describeMembers(node: DynamisNode): string {
  return node
    .resolve(MembershipToken)
    .members()
    .map((m) => `${m.id} ${m.status}`)
    .sort()
    .join(', ');
}

/** True when `node` sees exactly `count` members, all up. */
export function allUp(node: DynamisNode, count: number): boolean {
  const members = node.resolve(MembershipToken).members();
  return members.length === count && members.every((m) => m.status === 'up');
}
