import type { ServiceIdentifier } from 'inversify';
import type { Member } from './Membership';
import type { NodeId } from './types';

/** An opaque, stable identifier of one key range (e.g. a vnode's arc). */
export type RangeId = string;

/** A range that changes owner: stream its keys from `from` to `to`. */
export interface RangeTransfer {
  readonly range: RangeId;
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * Maps keys to replicas. Pure and deterministic: the same members give the
 * same placement on every node.
 */
export interface Partitioner {
  /** Replaces the member set (nodes with status 'left' are ignored). */
  update(members: readonly Member[]): void;
  /** The first `n` distinct physical nodes for `key` (fewer if the cluster is smaller). */
  preferenceList(key: string, n: number): NodeId[];
  /** Nodes after the first `n`, in order: stand-ins for sloppy quorum. */
  fallbacks(key: string, n: number): NodeId[];
  /** The range `key` falls in. */
  rangeOf(key: string): RangeId;
  /** Every range, in a stable order. */
  ranges(): RangeId[];
  /** The `n` replicas of `range`. */
  replicasOf(range: RangeId, n: number): NodeId[];
  /** The ranges that change owner between two member sets, with `n` replicas. */
  transfers(before: readonly Member[], after: readonly Member[], n: number): RangeTransfer[];
}

export const PartitionerToken: ServiceIdentifier<Partitioner> = Symbol.for('dynamis.Partitioner');
