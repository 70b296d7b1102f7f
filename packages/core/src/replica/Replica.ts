import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { ClockToken, type Clock } from '../ports/Clock';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import type { Unsubscribe } from '../ports/EventSource';
import type { Lifecycle } from '../ports/Lifecycle';
import { StorageEngineToken, type BatchOp, type StorageEngine } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { KeyLocks } from './KeyLocks';
import { dataKey, keySpaceRange, KeySpace, userKeyOf } from './keySpace';
import { decodeRecord, encodeRecord } from './recordCodec';
import { recordCompactionFilter } from './recordCompactionFilter';

/** A write that landed: the key and its merged siblings. */
export type AppliedListener = (key: string, siblings: readonly Sibling[]) => void;

/**
 * This node's copy of the data: versioned records (siblings, tombstones,
 * expiry) encoded over the StorageEngine. The only writer of data-space keys.
 *
 * - `apply` merges incoming siblings into the stored record through the
 *   ConflictResolver and writes the result; writes to one key are serialized
 *   (read-merge-write under a per-key lock), so no sibling is lost to a race.
 * - Records are kept until compaction: a tombstone or an expired value is
 *   purged only after `tombstones.graceMs`, so anti-entropy cannot resurrect
 *   an older value from a lagging replica (cf. Cassandra's gc_grace).
 * - Durability is the engine's: `apply` resolves once the engine write did.
 */
@injectable()
export class Replica implements Lifecycle {
  private readonly locks = new KeyLocks();
  private readonly listeners = new Set<AppliedListener>();

  constructor(
    @inject(StorageEngineToken) private readonly engine: StorageEngine,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConfigToken) private readonly config: DynamisConfig,
  ) {}

  async start(): Promise<void> {
    this.engine.setCompactionFilter(recordCompactionFilter(() => this.clock.now(), this.config.tombstones.graceMs));
  }

  async stop(): Promise<void> {
    this.engine.setCompactionFilter(undefined);
  }

  /** Every stored sibling of `key` (tombstones and expired ones included); [] if none. */
  async read(key: string): Promise<Sibling[]> {
    const bytes = await this.engine.get(dataKey(key));
    return bytes === undefined ? [] : decodeRecord(bytes, `record of key ${JSON.stringify(key)}`);
  }

  /** Merges `incoming` into the stored record and writes it; returns the merged siblings. */
  apply(key: string, incoming: readonly Sibling[]): Promise<Sibling[]> {
    return this.update(key, () => incoming);
  }

  /**
   * Read-modify-write of one key under its lock: `build` gets the stored
   * siblings and returns the incoming ones (it may throw, e.g. CONFLICT, to
   * abort with nothing written); they are merged and written.
   */
  async update(key: string, build: (stored: Sibling[]) => readonly Sibling[]): Promise<Sibling[]> {
    return this.locks.run(key, async () => {
      const stored = await this.read(key);
      const merged = this.resolver.merge(stored, build(stored));
      await this.engine.put(dataKey(key), encodeRecord(merged));
      this.emit(key, merged);
      return merged;
    });
  }

  /**
   * Applies several keys in one atomic engine write. `build` gets each key's
   * stored siblings and returns the incoming ones; all keys stay locked until
   * the write resolves.
   */
  async applyBatch(
    keys: readonly string[],
    build: (stored: ReadonlyMap<string, Sibling[]>) => ReadonlyMap<string, readonly Sibling[]>,
  ): Promise<Map<string, Sibling[]>> {
    const unique = [...new Set(keys)];
    return this.locks.runAll(unique, async () => {
      const stored = new Map<string, Sibling[]>();
      for (const key of unique) stored.set(key, await this.read(key));
      const incoming = build(stored);
      const merged = new Map<string, Sibling[]>();
      const ops: BatchOp[] = [];
      for (const key of unique) {
        const result = this.resolver.merge(stored.get(key) ?? [], incoming.get(key) ?? []);
        merged.set(key, result);
        ops.push({ type: 'put', key: dataKey(key), value: encodeRecord(result) });
      }
      await this.engine.write(ops);
      for (const [key, siblings] of merged) this.emit(key, siblings);
      return merged;
    });
  }

  /** Every record in user-key order (for anti-entropy and range streaming). */
  async *scan(): AsyncGenerator<[string, Sibling[]]> {
    const it = this.engine.iterator(keySpaceRange(KeySpace.data));
    try {
      for (;;) {
        const batch = await it.nextv(256);
        if (batch.length === 0) return;
        for (const [k, v] of batch) yield [userKeyOf(k), decodeRecord(v, 'record')];
      }
    } finally {
      await it.close();
    }
  }

  /** Calls `listener` after every write (for Merkle trees kept up to date). */
  onApplied(listener: AppliedListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(key: string, siblings: readonly Sibling[]): void {
    for (const listener of this.listeners) listener(key, siblings);
  }
}

export const ReplicaToken: ServiceIdentifier<Replica> = Symbol.for('dynamis.Replica');
