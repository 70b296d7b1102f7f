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
}

export const AntiEntropyToken: ServiceIdentifier<AntiEntropy> = Symbol.for('dynamis.AntiEntropy');
