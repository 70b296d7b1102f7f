import type { Unsubscribe } from '../ports/EventSource';
import type { Logger } from '../ports/Logger';
import type { PartitionId } from '../ports/Partitioner';
import type { PurgeReport } from '../ports/StorageEngine';
import type { Sibling, Version } from '../ports/types';
import { isDataKey, partitionOfDataKey, partitionsInEngineRange, userKeyOf } from './keySpace';
import { decodePurgeNote } from './purgeNote';

/**
 * A write that landed: the key, its merged siblings and the partition it was
 * stored in (`partitionOfKey(key, Q)`, passed along so that a listener need
 * not hash the key again).
 */
export type AppliedListener = (key: string, siblings: readonly Sibling[], partition: PartitionId) => void;

/** One record compaction purged siblings from. */
export interface PurgedRecord {
  readonly key: string;
  readonly partition: PartitionId;
  /** Versions of the siblings dropped (tombstones and expired values past `tombstones.graceMs`). */
  readonly versions: readonly Version[];
  /** True when nothing was left of the record (the key is gone from the engine). */
  readonly removed: boolean;
}

/** Purges of one compaction, or one part of them (see Replica.onPurged). */
export interface ReplicaPurges {
  /** In engine order: partition, then UTF-8 key. */
  readonly records: readonly PurgedRecord[];
  /**
   * Set when the engine purged more than it itemizes (its bound per
   * compaction): records of partitions first..last may have lost siblings
   * without being listed; treat those partitions as changed.
   */
  readonly unlisted?: { readonly firstPartition: PartitionId; readonly lastPartition: PartitionId };
}

export type PurgedListener = (purges: ReplicaPurges) => void;

/**
 * The listeners of a Replica (onApplied, onPurged) and their calls. A
 * listener cannot fail what already happened: what it throws is logged
 * (warn) and counted in `failures`, and the other listeners still run.
 */
export class ReplicaEvents {
  private readonly applied = new Set<AppliedListener>();
  private readonly purged = new Set<PurgedListener>();
  private failures_ = 0;

  constructor(
    private readonly log: Logger,
    private readonly partitionCount: number,
  ) {}

  get failures(): number {
    return this.failures_;
  }

  onApplied(listener: AppliedListener): Unsubscribe {
    this.applied.add(listener);
    return () => this.applied.delete(listener);
  }

  onPurged(listener: PurgedListener): Unsubscribe {
    this.purged.add(listener);
    return () => this.purged.delete(listener);
  }

  emitApplied(key: string, siblings: readonly Sibling[], partition: PartitionId): void {
    for (const listener of this.applied) {
      try {
        listener(key, siblings, partition);
      } catch (err) {
        this.failed('onApplied listener failed; the write stands', { key, error: String(err) });
      }
    }
  }

  /** The engine's purge listener: decodes `report` (data keys only) and passes it on; never throws. */
  readonly emitPurged = (report: PurgeReport): void => {
    if (this.purged.size === 0) return;
    const purges = this.decode(report);
    if (purges.records.length === 0 && purges.unlisted === undefined) return;
    for (const listener of this.purged) {
      try {
        listener(purges);
      } catch (err) {
        this.failed('onPurged listener failed; the purge stands', { error: String(err) });
      }
    }
  };

  private decode(report: PurgeReport): ReplicaPurges {
    const records: PurgedRecord[] = [];
    for (const { key, action, note } of report.keys) {
      if (!isDataKey(key)) continue;
      let userKey: string;
      let partition: PartitionId;
      try {
        userKey = userKeyOf(key);
        partition = partitionOfDataKey(key);
      } catch (err) {
        this.log.warn('purge report of an undecodable data key; skipped', { key: Buffer.from(key).toString('hex'), error: String(err) });
        continue;
      }
      records.push({ key: userKey, partition, versions: this.versionsOf(userKey, note), removed: action === 'remove' });
    }
    const range =
      report.unlisted === undefined ? undefined : partitionsInEngineRange(report.unlisted.gte, report.unlisted.lte, this.partitionCount);
    return range === undefined ? { records } : { records, unlisted: { firstPartition: range.first, lastPartition: range.last } };
  }

  /** The versions a purge note lists; [] (logged) when there is none or it does not decode. */
  private versionsOf(key: string, note: Uint8Array | undefined): Version[] {
    if (note === undefined) return [];
    try {
      return decodePurgeNote(note);
    } catch (err) {
      this.log.warn('purge note does not decode; reported without versions', { key, error: String(err) });
      return [];
    }
  }

  private failed(message: string, fields: Record<string, unknown>): void {
    this.failures_++;
    this.log.warn(message, fields);
  }
}
