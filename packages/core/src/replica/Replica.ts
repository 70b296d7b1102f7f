import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { ClockToken, type Clock } from '../ports/Clock';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import type { Unsubscribe } from '../ports/EventSource';
import type { Lifecycle } from '../ports/Lifecycle';
import { LoggerToken, type Logger } from '../ports/Logger';
import { StorageEngineToken, type BatchOp, type StorageEngine } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { checkIncomingSiblings } from './checkSiblings';
import { KeyLocks } from './KeyLocks';
import { dataKey, keySpaceRange, KeySpace, userKeyOf } from './keySpace';
import { decodeRecord, encodeRecord } from './recordCodec';
import { recordCompactionFilter } from './recordCompactionFilter';
import { WriteGroup } from './WriteGroup';

/** A write that landed: the key and its merged siblings. */
export type AppliedListener = (key: string, siblings: readonly Sibling[]) => void;

/** User-key bounds of a scan, compared in UTF-8 byte order (the engine's order); absent = open. */
export interface ReplicaScanRange {
  readonly gte?: string;
  readonly lt?: string;
}

/** A key and the siblings to merge into it (see Replica.applyMany). */
export interface ReplicaEntry {
  readonly key: string;
  readonly siblings: readonly Sibling[];
}

/**
 * This node's copy of the data: versioned records (siblings, tombstones,
 * expiry) encoded over the StorageEngine. The only writer of data-space keys.
 *
 * - `apply` / `applyMany` take siblings from outside this node (a peer, a
 *   repair): every sibling is checked first (checkIncomingSiblings: shape,
 *   bounds, `resolver.validate(version, now)`), INVALID_ARGUMENT and nothing
 *   written otherwise. They are merged into the stored record through the
 *   ConflictResolver and the result is written. `update` and `applyBatch`
 *   are the local coordinator's path, for versions it stamped itself.
 *   Writes to one key are serialized
 *   (read-merge-write under a per-key lock), so no sibling is lost to a race.
 * - Records are kept until compaction: a tombstone or an expired value is
 *   purged only after `tombstones.graceMs`, so anti-entropy cannot resurrect
 *   an older value from a lagging replica (cf. Cassandra's gc_grace).
 * - Durability is the engine's: `apply` resolves once the engine write did.
 */
@injectable()
export class Replica implements Lifecycle {
  private readonly locks = new KeyLocks();
  /** update()'s engine writes, grouped per tick (WriteGroup). */
  private readonly group: WriteGroup;
  private readonly listeners = new Set<AppliedListener>();
  private listenerFailures_ = 0;
  private readonly log: Logger;

  constructor(
    @inject(StorageEngineToken) private readonly engine: StorageEngine,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(LoggerToken) logger: Logger,
  ) {
    this.log = logger.child({ component: 'replica' });
    this.group = new WriteGroup(engine);
  }

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

  /**
   * Merges siblings received from outside into the stored record and writes
   * it; returns the merged siblings. INVALID_ARGUMENT (nothing written) if a
   * sibling fails checkIncomingSiblings; the key is the caller's to check.
   */
  async apply(key: string, incoming: readonly Sibling[]): Promise<Sibling[]> {
    checkIncomingSiblings(key, incoming, this.resolver, this.clock.now(), this.config.limits);
    return this.update(key, () => incoming);
  }

  /**
   * `apply` for several keys in one atomic engine write: every entry is
   * checked before anything is written (one bad sibling rejects all,
   * INVALID_ARGUMENT). A key listed twice gets both sets. Returns the merged
   * siblings per key.
   */
  async applyMany(entries: readonly ReplicaEntry[]): Promise<Map<string, Sibling[]>> {
    const now = this.clock.now();
    const incoming = new Map<string, Sibling[]>();
    for (const { key, siblings } of entries) {
      checkIncomingSiblings(key, siblings, this.resolver, now, this.config.limits);
      incoming.set(key, [...(incoming.get(key) ?? []), ...siblings]);
    }
    return this.applyBatch([...incoming.keys()], () => incoming);
  }

  /**
   * Read-modify-write of one key under its lock: `build` gets the stored
   * siblings and returns the incoming ones (it may throw, e.g. CONFLICT, to
   * abort with nothing written); they are merged and written. Writes of one
   * tick share one engine write (WriteGroup); each resolves once durable.
   */
  async update(key: string, build: (stored: Sibling[]) => readonly Sibling[]): Promise<Sibling[]> {
    return this.locks.run(key, async () => {
      const stored = await this.read(key);
      const merged = this.resolver.merge(stored, build(stored));
      await this.group.put(dataKey(key), encodeRecord(merged));
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

  /**
   * The records of one key range (all keys when `range` is absent), in
   * UTF-8 byte order of the keys, read from the engine by those bounds only
   * (never a full scan filtered in memory), from a snapshot taken when
   * iteration starts. For anti-entropy and range streaming. A corrupt record
   * throws CORRUPTION. Close early with `return()` (a for-await `break`).
   */
  async *scan(range: ReplicaScanRange = {}): AsyncGenerator<[string, Sibling[]]> {
    const space = keySpaceRange(KeySpace.data);
    const it = this.engine.iterator({
      gte: range.gte === undefined ? space.gte : dataKey(range.gte),
      lt: range.lt === undefined ? space.lt : dataKey(range.lt),
    });
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

  /**
   * Calls `listener` synchronously after every durable write (for Merkle
   * trees kept up to date), in write order per key. A listener cannot fail
   * the write, which already happened: what it throws is logged (warn) and
   * counted in `listenerFailures`, and the other listeners still run.
   */
  onApplied(listener: AppliedListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** onApplied listeners that threw, since this replica was created. */
  get listenerFailures(): number {
    return this.listenerFailures_;
  }

  private emit(key: string, siblings: readonly Sibling[]): void {
    for (const listener of this.listeners) {
      try {
        listener(key, siblings);
      } catch (err) {
        this.listenerFailures_++;
        this.log.warn('onApplied listener failed; the write stands', { key, error: String(err) });
      }
    }
  }
}

export const ReplicaToken: ServiceIdentifier<Replica> = Symbol.for('dynamis.Replica');
