import type { NodeId } from '@dynamis/core';

/** A node as the claim sees it. */
export interface RingNode {
  readonly id: NodeId;
  /** Positive, finite relative capacity. */
  readonly weight: number;
  /** Failure domain: 'z:' + zone, or 'n:' + id when the node has no zone or zones are ignored. */
  readonly zoneKey: string;
}

/** Ascending by id (code-unit order), the one order every node agrees on. */
export function byId(a: { readonly id: NodeId }, b: { readonly id: NodeId }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
