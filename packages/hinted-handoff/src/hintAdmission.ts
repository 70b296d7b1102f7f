import type { Membership, NodeId, Partitioner } from '@dynamis/core';

/** What a hint's receiver checks a hint's target against. */
export interface HintAdmissionView {
  readonly self: NodeId;
  readonly membership: Membership;
  /** Absent on a node without a Partitioner: then only membership is checked. */
  readonly partitioner: Partitioner | undefined;
  /** replication.n: the key's primaries are the first n of its preference list. */
  readonly n: number;
}

/**
 * Why this node must refuse to hold a hint from `from` for `target` of
 * `key`, or undefined to accept it. An honest sloppy-quorum coordinator
 * (core's sloppyPlan) hints only for a primary of the key, to a live
 * fallback that is not a primary: so the target must be a member, another
 * node and a primary of the key, and this node not a primary (a primary
 * takes replica writes, not hints), all by this node's current view. The
 * sender is not checked: a peer with the cluster secret can claim any
 * member's id, and operator tools (not members) may hand hints over. Pure;
 * reads the view only.
 */
export function hintRefusal(view: HintAdmissionView, target: NodeId, key: string): string | undefined {
  if (target === view.self) return 'the target is this node';
  if (view.membership.member(target) === undefined) return `target ${target} is not a member`;
  if (view.partitioner === undefined) return undefined;
  const prefs = view.partitioner.placement().preferenceList(key, view.n);
  if (!prefs.includes(target)) return `target ${target} is not a replica of the key`;
  if (prefs.includes(view.self)) return 'this node is a replica of the key (it takes replica writes, not hints)';
  return undefined;
}
