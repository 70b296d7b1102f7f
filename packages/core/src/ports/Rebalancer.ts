import type { ServiceIdentifier } from 'inversify';
import type { PartitionId, Placement } from './Partitioner';
import type { NodeId } from './types';

/** Where one partition's requests go while its replicas change (Rebalancer.route). */
export interface PartitionRoute {
  /**
   * The nodes to read from, in preference order: nodes that hold the
   * partition's complete data — the placement's replicas that are caught up,
   * then old replicas standing in for the ones that are not yet. At most `n`.
   */
  readonly read: readonly NodeId[];
  /**
   * The nodes to write to: the placement's first `n` replicas, followed by
   * the old replicas that still hold the partition while it is transferred.
   */
  readonly write: readonly NodeId[];
  /**
   * Acknowledgements to require beyond the write level W: `write.length − n`
   * while transferring (so that every acknowledged write is on W replicas of
   * the old set and W of the new), 0 otherwise.
   */
  readonly extraAcks: number;
}

/** What a node's Rebalancer has done and has left to do, for status and logs. */
export interface RebalanceProgress {
  /** Hash of the placement this node routes by (Placement.hash); '' before it has one. */
  readonly placementHash: string;
  /** Partitions this node must receive and has not started streaming. */
  readonly pending: number;
  /** Partitions this node is streaming now. */
  readonly streaming: number;
  /** Partitions this node received since start. */
  readonly done: number;
  /** Partitions this node still holds but no longer replicates, waiting for the others to be ready before dropping. */
  readonly toDrop: number;
  /** Partitions this node dropped since start. */
  readonly dropped: number;
  /** Record bytes and keys received by streaming since start (key + versions + values). */
  readonly bytesMoved: number;
  readonly keysMoved: number;
  /** Bytes per second over the streams of the current transition (0 when none ran). */
  readonly bytesPerSecond: number;
  /** True when every partition of the placement is held by all its replicas as far as this node knows. */
  readonly settled: boolean;
  /**
   * Seconds until this node has received what is pending and streaming, at
   * the rate so far and the mean size of the partitions received so far;
   * absent while that is unknown (nothing received yet in this transition) or
   * nothing is left to receive.
   */
  readonly etaSeconds?: number;
}

/**
 * Moves partitions between nodes when the placement changes, and tells the
 * coordinator where to send a partition's reads and writes meanwhile.
 * Optional: without one bound, a coordinator reads and writes the
 * placement's preference list as it is.
 */
export interface Rebalancer {
  /**
   * The route of `partition` under `placement` for `n` replicas. Pure with
   * respect to its arguments and this node's current knowledge of which
   * nodes hold which partitions; never throws for a valid partition and n
   * (INVALID_ARGUMENT otherwise, as Placement.preferenceList). When nothing
   * is moving for it, read and write are `placement.preferenceList(partition, n)`
   * and extraAcks is 0.
   */
  route(placement: Placement, partition: PartitionId, n: number): PartitionRoute;
  /** A snapshot of the counters and state above. */
  progress(): RebalanceProgress;
}

export const RebalancerToken: ServiceIdentifier<Rebalancer> = Symbol.for('dynamis.Rebalancer');
