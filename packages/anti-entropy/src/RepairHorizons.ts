import type { NodeId, Partitioner, PartitionId, Placement } from '@dynamis/core';

/**
 * The syncedAt bookkeeping of one node's anti-entropy and the per-partition
 * "repaired through" horizons derived from it (AntiEntropy.repairedThrough).
 * Bounded: one entry per (partition, peer) pair recorded.
 */
export class RepairHorizons {
  private readonly synced = new Map<string, number>();
  private cache: Float64Array | undefined;
  private cachedFor: Placement | undefined;

  constructor(
    private readonly self: NodeId,
    private readonly n: number,
    private readonly partitioner: Partitioner,
  ) {}

  /** Records that `partition` was found equal with `peer` at `at` (a later record replaces an earlier one). */
  record(partition: PartitionId, peer: NodeId, at: number): void {
    const k = key(partition, peer);
    if ((this.synced.get(k) ?? -Infinity) >= at) return;
    this.synced.set(k, at);
    this.cache = undefined;
  }

  /** The last time recorded for (partition, peer); undefined if none. */
  syncedAt(partition: PartitionId, peer: NodeId): number | undefined {
    return this.synced.get(key(partition, peer));
  }

  /**
   * Per partition id: the least syncedAt over the other nodes of its
   * preference list (first `n` of the current placement), -Infinity if one
   * has none, +Infinity if there is no other node. Recomputed only after a
   * record or when the partitioner returns another placement.
   */
  horizons(): Float64Array {
    const placement = this.partitioner.placement();
    if (this.cache !== undefined && this.cachedFor === placement) return this.cache;
    const out = new Float64Array(placement.partitionCount);
    for (let p = 0; p < out.length; p++) {
      let h = Infinity;
      for (const peer of placement.preferenceList(p, this.n)) {
        if (peer !== this.self) h = Math.min(h, this.synced.get(key(p, peer)) ?? -Infinity);
      }
      out[p] = h;
    }
    this.cache = out;
    this.cachedFor = placement;
    return out;
  }
}

function key(partition: PartitionId, peer: NodeId): string {
  return `${partition} ${peer}`;
}
