import type { ServiceIdentifier } from 'inversify';
import type { Member } from './Membership';
import type { NodeId } from './types';

/**
 * One of the Q equal partitions of the key-hash space, 0 ≤ id < Q
 * (docs/decisions.md D12). Partition p holds the keys whose 64-bit key hash
 * (`keyHash`, docs/format.md "Key hash") lies in [p·2⁶⁴/Q, (p+1)·2⁶⁴/Q).
 */
export type PartitionId = number;

/** The unit anti-entropy and transfers work on: a partition. */
export type RangeId = PartitionId;

/** A partition and its half-open bounds in the 64-bit key-hash space. */
export interface PartitionBounds {
  readonly id: PartitionId;
  /** Smallest key hash in the partition (inclusive). */
  readonly start: bigint;
  /** One past the largest key hash (exclusive; 2⁶⁴ for the last partition). */
  readonly end: bigint;
}

/** A partition whose replica set differs between two placements. */
export interface PartitionTransfer {
  readonly partition: PartitionId;
  /** Its first `n` replicas in the older placement, in preference order: the sources. */
  readonly from: readonly NodeId[];
  /** Its first `n` replicas in the newer placement, in preference order. */
  readonly to: readonly NodeId[];
  /** Nodes in `to` and not in `from`: they must receive the partition's data. */
  readonly gaining: readonly NodeId[];
  /** Nodes in `from` and not in `to`: they may drop it once the gaining nodes hold it. */
  readonly losing: readonly NodeId[];
}

/**
 * An immutable snapshot of where every key lives. A request takes one
 * Placement and uses it throughout, so it sees one consistent view even if
 * membership changes meanwhile. Every method is pure; returned arrays are
 * frozen. Methods throw INVALID_ARGUMENT on a partition id outside [0, Q), an
 * `n` that is not a non-negative integer, or a key that is not a string.
 */
export interface Placement {
  /**
   * Content hash (hex): equal for two placements exactly when they assign
   * every partition the same way and give the same preference lists (up to
   * hash collision). Nodes compare it to learn whether they agree.
   */
  readonly hash: string;
  /** Q, the number of partitions: a power of two, fixed at cluster creation. */
  readonly partitionCount: number;
  /** Every node the placement places data on, sorted by id (no duplicates). */
  readonly nodes: readonly NodeId[];
  /** Every partition with its bounds, ordered by id (so by bounds). */
  readonly partitions: readonly PartitionBounds[];
  /** The partition of `key` (the one whose bounds hold `keyHash(key)`). */
  partitionOf(key: string): PartitionId;
  /**
   * The first `n` distinct physical nodes for a key or a partition, walking the
   * ring clockwise from the partition; fewer when the placement has fewer
   * nodes; empty for a placement with no nodes. preferenceList(x, n) is a
   * prefix of preferenceList(x, n + 1). Element 0 is the partition's owner.
   */
  preferenceList(target: string | PartitionId, n: number): readonly NodeId[];
  /**
   * Every other node of the placement, in the order they stand in for the
   * first `n` (sloppy quorum, next issue): preferenceList(x, n) followed by
   * fallbacks(x, n) lists each of `nodes` exactly once.
   */
  fallbacks(target: string | PartitionId, n: number): readonly NodeId[];
  /**
   * The partitions whose first-`n` replica set differs between `older` and
   * this placement, ordered by partition (a change of order alone is not a
   * transfer). Throws INVALID_ARGUMENT when the partition counts differ.
   */
  transfers(older: Placement, n: number): readonly PartitionTransfer[];
}

/**
 * Assigns partitions to nodes. Deterministic: the same sequence of member sets
 * gives the same Placement on every node. Not safe for concurrent update()
 * calls (the kernel serializes them); placement() may be called any time.
 */
export interface Partitioner {
  /** The current snapshot (a placement with no nodes before the first update). */
  placement(): Placement;
  /**
   * Recomputes the placement for `members` (members with status 'left' own
   * nothing; a Partitioner may use their `joinedAt`/`leftAt` as history, so
   * pass them on rather than filter them out; 'down' members keep their
   * partitions: liveness is the coordinator's concern), makes it current and
   * returns it. Placements returned earlier are unchanged. Throws
   * INVALID_ARGUMENT on duplicate ids, a bad weight or a bad joinedAt/leftAt.
   */
  update(members: readonly Member[]): Placement;
}

export const PartitionerToken: ServiceIdentifier<Partitioner> = Symbol.for('dynamis.Partitioner');
