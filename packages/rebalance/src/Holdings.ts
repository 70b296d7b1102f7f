import { DynamisError, type NodeId, type PartitionId, type Placement } from '@dynamis/core';
import type { View } from './protocol';

/**
 * What this node knows of who holds which partition: its own holdings and
 * the latest view each member announced (protocol.ts). Bounded: one view
 * per node passed to `prune`'s member list (the Membership's own bound),
 * each a Q-bit bitmap.
 */
export class Holdings {
  /** Partitions this node holds completely. */
  readonly own = new Set<PartitionId>();
  private readonly views = new Map<NodeId, View>();

  constructor(
    readonly self: NodeId,
    readonly partitionCount: number,
  ) {}

  /** Records `from`'s view. INVALID_ARGUMENT when its partition count or bitmap size is not ours. */
  accept(from: NodeId, view: View): void {
    if (view.partitionCount !== this.partitionCount || view.holds.length !== bitmapBytes(this.partitionCount)) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `rebalance view of ${from} has ${view.partitionCount} partitions (${view.holds.length} bitmap bytes), this node ${this.partitionCount}`,
        { details: { peer: from } },
      );
    }
    this.views.set(from, view);
  }

  /** Forgets the views of nodes not in `members`. */
  prune(members: ReadonlySet<NodeId>): void {
    for (const id of this.views.keys()) if (!members.has(id)) this.views.delete(id);
  }

  /** `id`'s latest view (undefined if none, or for self). */
  view(id: NodeId): View | undefined {
    return this.views.get(id);
  }

  /** Nodes (self included) known to hold `p` completely. */
  holders(p: PartitionId): Set<NodeId> {
    const out = new Set<NodeId>();
    if (this.own.has(p)) out.add(this.self);
    for (const [id, v] of this.views) if (hasBit(v.holds, p)) out.add(id);
    return out;
  }

  /** Whether `id` (self included) is known to hold `p` completely: `holders(p).has(id)` without building the set. */
  holds(p: PartitionId, id: NodeId): boolean {
    if (id === this.self && this.own.has(p)) return true;
    const v = this.views.get(id);
    return v !== undefined && hasBit(v.holds, p);
  }

  /** Whether any node (self included) is known to hold `p` completely: `holders(p).size > 0` without building the set. */
  heldByAny(p: PartitionId): boolean {
    if (this.own.has(p)) return true;
    for (const v of this.views.values()) if (hasBit(v.holds, p)) return true;
    return false;
  }

  /**
   * Adds to `own` the partitions this node replicates in `c` (its first `n`):
   * all of them, or with `unheldOnly` those no node is known to hold, or
   * those not in `except`. Returns whether any was added; each one added is
   * also put in `added` when given.
   */
  claim(c: Placement, n: number, unheldOnly: boolean, except?: ReadonlySet<PartitionId>, added?: Set<PartitionId>): boolean {
    let any = false;
    for (let i = 0; i < c.partitions.length; i++) {
      const id = c.partitions[i]!.id; // indexed: no iterator result per partition on every tick
      if (this.own.has(id) || !c.preferenceList(id, n).includes(this.self)) continue;
      if (unheldOnly && this.heldByAny(id)) continue;
      if (except?.has(id) === true) continue;
      this.own.add(id);
      added?.add(id);
      any = true;
    }
    return any;
  }

  /** Whether `id`'s latest view holds no partition at all (true when there is none): a node that has not initialised yet, or holds nothing. */
  holdsNothing(id: NodeId): boolean {
    const v = this.views.get(id);
    return v === undefined || v.holds.every((b) => b === 0);
  }

  /** This node's view for `hash`. */
  ownView(hash: string, settled: boolean): View {
    const holds = new Uint8Array(bitmapBytes(this.partitionCount));
    for (const p of this.own) holds[p >> 3]! |= 1 << (p & 7);
    return { hash, partitionCount: this.partitionCount, holds, settled };
  }
}

export function bitmapBytes(partitionCount: number): number {
  return Math.ceil(partitionCount / 8);
}

function hasBit(bitmap: Uint8Array, p: PartitionId): boolean {
  return ((bitmap[p >> 3] ?? 0) & (1 << (p & 7))) !== 0;
}
