import { createHash } from 'node:crypto';
import {
  checkPartitionId,
  DynamisError,
  partitionBits,
  partitionBounds,
  partitionOfKey,
  type NodeId,
  type PartitionBounds,
  type PartitionId,
  type PartitionTransfer,
  type Placement,
} from '@dynamis/core';
import { transfersBetween } from './transfersBetween';
import { walkOrder } from './walkOrder';

/**
 * An immutable ring: an owner per partition and each node's failure domain.
 * Preference orders are computed on first use per partition and cached (the
 * cache is invisible: every answer is a pure function of the constructor's
 * arguments). See Placement for the contract.
 */
export class RingPlacement implements Placement {
  readonly hash: string;
  readonly partitionCount: number;
  readonly nodes: readonly NodeId[];
  readonly partitions: readonly PartitionBounds[];
  private readonly owners: readonly NodeId[];
  private readonly zones: ReadonlyMap<NodeId, string>;
  private readonly idle: readonly NodeId[];
  private readonly owning: number;
  private readonly orders: Array<readonly NodeId[] | undefined>;
  private readonly prefixes: Array<Map<number, readonly NodeId[]> | undefined>;

  /**
   * @param owners the owner of each partition (Q entries), or [] for a placement with no nodes
   * @param zones every node of the placement → its zone key ('z:' + zone or 'n:' + id)
   * @throws INVALID_ARGUMENT when Q is not a power of two up to 2¹⁶, or owners are not one per partition, each in `zones`
   */
  constructor(partitionCount: number, owners: readonly NodeId[], zones: ReadonlyMap<NodeId, string>) {
    partitionBits(partitionCount);
    if ((owners.length !== 0 && owners.length !== partitionCount) || owners.some((o) => !zones.has(o))) {
      throw new DynamisError('INVALID_ARGUMENT', `a RingPlacement needs ${partitionCount} owners (or none), each a node with a zone key`, {
        details: { partitionCount, owners: owners.length },
      });
    }
    this.partitionCount = partitionCount;
    this.owners = Object.freeze([...owners]);
    this.zones = new Map(zones);
    this.nodes = Object.freeze([...zones.keys()].sort());
    const owningSet = new Set(owners);
    this.owning = owningSet.size;
    this.idle = Object.freeze(this.nodes.filter((n) => !owningSet.has(n)));
    this.partitions = Object.freeze(Array.from({ length: partitionCount }, (_, p) => Object.freeze(partitionBounds(p, partitionCount))));
    this.orders = new Array<readonly NodeId[] | undefined>(partitionCount).fill(undefined);
    this.prefixes = new Array<Map<number, readonly NodeId[]> | undefined>(partitionCount).fill(undefined);
    const content = JSON.stringify([partitionCount, this.nodes.map((n) => [n, this.zones.get(n)]), this.owners]);
    this.hash = createHash('sha1').update(content).digest('hex');
  }

  /** The owner of each partition (a frozen copy of the constructor's), [] when there are no nodes. */
  ownerList(): readonly NodeId[] {
    return this.owners;
  }

  partitionOf(key: string): PartitionId {
    return partitionOfKey(key, this.partitionCount);
  }

  preferenceList(target: string | PartitionId, n: number): readonly NodeId[] {
    const p = this.resolve(target);
    checkCount(n);
    let byN = this.prefixes[p];
    if (byN === undefined) this.prefixes[p] = byN = new Map();
    let list = byN.get(n);
    if (list === undefined) {
      list = Object.freeze(this.order(p, n).slice(0, n));
      if (byN.size < 64) byN.set(n, list); // bounded: n rarely takes more than a few values
    }
    return list;
  }

  fallbacks(target: string | PartitionId, n: number): readonly NodeId[] {
    const p = this.resolve(target);
    checkCount(n);
    return Object.freeze(this.order(p, Infinity).slice(n));
  }

  transfers(older: Placement, n: number): readonly PartitionTransfer[] {
    checkCount(n);
    return transfersBetween(older, this, n);
  }

  /** At least the first `n` nodes of partition p's order (all of it when it has fewer), cached as the longest prefix computed so far. */
  private order(p: PartitionId, n: number): readonly NodeId[] {
    let order = this.orders[p];
    if (order === undefined || (order.length < n && order.length < this.nodes.length)) {
      const limit = Math.max(n, 2 * (order?.length ?? 0), 4);
      const zoneOf = (id: NodeId): string => this.zones.get(id)!;
      order = this.owners.length === 0 ? this.idle : Object.freeze(walkOrder(this.owners, p, zoneOf, this.owning, this.idle, limit));
      this.orders[p] = order;
    }
    return order;
  }

  private resolve(target: string | PartitionId): PartitionId {
    if (typeof target === 'string') return partitionOfKey(target, this.partitionCount);
    checkPartitionId(target, this.partitionCount);
    return target;
  }
}

function checkCount(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new DynamisError('INVALID_ARGUMENT', `replica count must be a non-negative integer, got ${String(n)}`, { details: { n } });
  }
}
