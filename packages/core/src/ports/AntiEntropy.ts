import type { ServiceIdentifier } from 'inversify';
import type { RangeId } from './Partitioner';
import type { NodeId } from './types';

export interface RepairStats {
  readonly range: RangeId;
  readonly peer: NodeId;
  /** Tree nodes compared. */
  readonly nodesCompared: number;
  readonly keysSent: number;
  readonly keysReceived: number;
  readonly bytesTransferred: number;
}

/** Replica synchronization of one range with one peer (Merkle trees). */
export interface AntiEntropy {
  /**
   * Compares `range` with `peer` and exchanges only the keys that differ, in
   * both directions; merges go through the ConflictResolver. Tombstones are
   * synced like values, never resurrected over.
   */
  exchange(peer: NodeId, range: RangeId): Promise<RepairStats>;

  /**
   * Per range id (index), the "repaired through" horizon: a time (ms, the
   * Clock's) such that every record this node held at that time is known to
   * be on every current replica peer of the range (the other nodes of its
   * preference list), because each of them was found equal with this node
   * at or after it. -Infinity when some peer has not been found equal since
   * this node started; +Infinity when the range has no other replica. The
   * replica's compaction filter purges a tombstone only once this is at or
   * past its `writtenAt` (or it outlived `tombstones.maxGraceMs`). Cheap to
   * call repeatedly (cached until a sync or the placement changes); the
   * caller must not modify the array; its length is the partition count.
   */
  repairedThrough(): ArrayLike<number>;
}

export const AntiEntropyToken: ServiceIdentifier<AntiEntropy> = Symbol.for('dynamis.AntiEntropy');
