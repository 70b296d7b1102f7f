import { inject, injectable, optional, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { ClockToken, type Clock } from '../ports/Clock';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import type { Unsubscribe } from '../ports/EventSource';
import type { Lifecycle } from '../ports/Lifecycle';
import { LoggerToken, type Logger } from '../ports/Logger';
import { PartitionerToken, type Partitioner, type PartitionId } from '../ports/Partitioner';
import { StorageEngineToken, type BatchOp, type Snapshot, type StorageEngine } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import type { AntiEntropy } from '../ports/AntiEntropy';
import { checkIncomingSiblings } from './checkSiblings';
import { DamagedPartitions, type DamagedListener } from './DamagedPartitions';
import { KeyLocks } from './KeyLocks';
import { ReplicaEvents, type AppliedListener, type PurgedListener } from './ReplicaEvents';
import { checkPartitionId, partitionOfKey } from '../placement/keyHash';
import { dataKey, partitionRange, userKeyOf } from './keySpace';
import { decodeRecordShared, encodeRecord } from './recordCodec';
import { readDigest } from './readDigest';
import { recordCompactionFilter } from './recordCompactionFilter';
import { readScanPage, type ScanPageRequest, type ScanPageResult } from './scanPage';
import { checkReplicaLayout } from './replicaLayout';
import { WriteGroup } from './WriteGroup';

/**
 * What a scan reads: one partition, or every partition in partition order;
 * within each, the user keys in [gte, lt), compared in UTF-8 byte order
 * (the engine's order); an absent bound is open.
 */
export interface ReplicaScanRange {
  readonly partition?: PartitionId;
  readonly gte?: string;
  readonly lt?: string;
}

/** A key and the siblings to merge into it (see Replica.applyMany). */
export interface ReplicaEntry {
  readonly key: string;
  readonly siblings: readonly Sibling[];
  /**
   * The key's partition when the caller already knows it
   * (`partitionOfKey(key, Q)`, e.g. carried in a replica frame): the replica
   * then does not hash the key. Checked to be in [0, Q) (INVALID_ARGUMENT),
   * not recomputed: a wrong one stores the record where reads of the key do
   * not look, so only callers that computed it from the key (this node's
   * coordinator, an authenticated peer) may pass it.
   */
  readonly partition?: PartitionId;
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
 *   an older value from a lagging replica (cf. Cassandra's gc_grace), and,
 *   once anti-entropy is installed (useRepairHorizons), only after every
 *   replica peer of its partition synced with this node since it was written
 *   or `tombstones.maxGraceMs` passed.
 * - Durability is the engine's: `apply` resolves once the engine write did.
 * - Layout (docs/format.md "Engine key spaces"): the record of key k is
 *   stored under 'd' + partition(k) + k, partition(k) = partitionOfKey(k, Q),
 *   so one partition is one contiguous engine range. Every method taking a
 *   key also takes its partition, optional: given, it is checked to be in
 *   [0, Q) (INVALID_ARGUMENT) and trusted (see ReplicaEntry.partition);
 *   absent, the key is hashed. Q is the Partitioner's
 *   (`placement().partitionCount`, fixed at cluster creation); a node with
 *   no Partitioner (a single node) has Q = 1. `start` refuses a data dir
 *   written in another layout or with another Q (INCOMPATIBLE_DATA, see
 *   checkReplicaLayout) instead of reading nothing from it.
 */
@injectable()
export class Replica implements Lifecycle {
  private readonly locks = new KeyLocks();
  private readonly events: ReplicaEvents;
  /** Q: the number of partitions keys are spread over in the engine. */
  readonly partitionCount: number;
  /** update()'s engine writes, grouped per tick (WriteGroup). */
  private readonly group: WriteGroup;
  /** Whose repair horizons the compaction filter waits for (useRepairHorizons). */
  private repair: AntiEntropy | undefined;
  /** Partitions not served because the engine found their data damaged (DamagedPartitions). */
  private readonly damage: DamagedPartitions;

  constructor(
    @inject(StorageEngineToken) private readonly engine: StorageEngine,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(LoggerToken) logger: Logger,
    @inject(PartitionerToken) @optional() partitioner?: Partitioner,
  ) {
    this.partitionCount = partitioner?.placement().partitionCount ?? 1;
    this.events = new ReplicaEvents(logger.child({ component: 'replica' }), this.partitionCount);
    this.group = new WriteGroup(engine);
    this.damage = new DamagedPartitions(engine, this.partitionCount, logger.child({ component: 'replica' }));
  }

  /**
   * Takes up the damaged ranges the engine fenced (DamagedPartitions: also
   * those from before a restart), checks the data dir's layout
   * (INCOMPATIBLE_DATA, see the class comment; not while the layout record
   * itself is fenced: its cleanup writes it again), then installs the
   * compaction filter and the engine's purge listener.
   */
  async start(): Promise<void> {
    await this.damage.start();
    if (!this.damage.layoutFenced()) await checkReplicaLayout(this.engine, this.partitionCount);
    this.engine.setPurgeListener(this.events.emitPurged);
    const { tombstones } = this.config;
    const wait = { horizons: () => this.repair?.repairedThrough(), maxGraceMs: tombstones.maxGraceMs };
    this.engine.setCompactionFilter(recordCompactionFilter(() => this.clock.now(), tombstones.graceMs, wait));
  }

  /**
   * Makes the compaction filter wait for repair (recordCompactionFilter's
   * RepairWait) on `antiEntropy`'s horizons from the next record it judges;
   * undefined goes back to the grace period alone. Called by the
   * anti-entropy plugin when it starts and stops.
   */
  useRepairHorizons(antiEntropy: AntiEntropy | undefined): void {
    this.repair = antiEntropy;
  }

  async stop(): Promise<void> {
    this.engine.setCompactionFilter(undefined);
    this.engine.setPurgeListener(undefined);
    await this.damage.stop();
  }

  /**
   * Partitions this replica does not serve because its engine found their
   * data damaged: read(), scanPage() and a scan of one of them reject
   * UNAVAILABLE (`details.damaged`), a scan of every partition skips them;
   * writes are applied as usual. Until `served(p)` (see DamagedPartitions).
   */
  unservedPartitions(): ReadonlySet<PartitionId> {
    return this.damage.unserved;
  }

  /** Calls `listener` synchronously with partitions that became unserved (their owner rebuilds them, then calls `served`). */
  onDamaged(listener: DamagedListener): Unsubscribe {
    return this.damage.onDamaged(listener);
  }

  /** Resolves once the cleanups of the damaged ranges reported so far are done (their ranges deleted); never rejects. */
  damageCleanup(): Promise<void> {
    return this.damage.settled();
  }

  /** Serves `p` again: its data was rebuilt from a replica (durable before it resolves). */
  served(p: PartitionId): Promise<void> {
    return this.damage.served(p);
  }

  /**
   * Serve damaged partitions again as soon as their range is deleted,
   * without a rebuild (set by the kernel on a node without a Rebalancer).
   */
  releaseDamagedOnDelete(): void {
    this.damage.releaseOnDelete = true;
  }

  /**
   * Every stored sibling of `key` (tombstones and expired ones included); []
   * if none. `partition`: the key's, if known (see the class comment).
   */
  async read(key: string, partition?: PartitionId): Promise<Sibling[]> {
    const p = this.partitionOf(key, partition);
    this.damage.check(p);
    // engine.get awaited here rather than through an async helper: one async frame and promise fewer per read.
    return storedRecord(await this.engine.get(dataKey(p, key)), key);
  }

  /**
   * readDigest(await read(key, partition)), same errors (a corrupt record is
   * CORRUPTION): the record is decoded as views into the engine's bytes and
   * only its siblings' metadata goes into the digest (see readDigest).
   */
  async readDigest(key: string, partition?: PartitionId): Promise<Buffer> {
    const p = this.partitionOf(key, partition);
    this.damage.check(p);
    const bytes = await this.engine.get(dataKey(p, key));
    return readDigest(bytes === undefined ? [] : decodeRecordShared(bytes, 'record', key));
  }

  /**
   * Merges siblings received from outside into the stored record and writes
   * it; returns the merged siblings. INVALID_ARGUMENT (nothing written) if a
   * sibling fails checkIncomingSiblings; the key is the caller's to check.
   */
  async apply(key: string, incoming: readonly Sibling[], partition?: PartitionId): Promise<Sibling[]> {
    checkIncomingSiblings(key, incoming, this.resolver, this.clock.now(), this.config.limits);
    return this.update(key, () => incoming, partition);
  }

  /**
   * `apply` for several keys in one atomic engine write: every entry is
   * checked before anything is written (one bad sibling rejects all,
   * INVALID_ARGUMENT). A key listed twice gets both sets. Returns the merged
   * siblings per key.
   */
  async applyMany(entries: readonly ReplicaEntry[]): Promise<Map<string, Sibling[]>> {
    const now = this.clock.now();
    const incoming = new Map<string, readonly Sibling[]>();
    const partitions = new Map<string, PartitionId>();
    for (const { key, siblings, partition } of entries) {
      checkIncomingSiblings(key, siblings, this.resolver, now, this.config.limits);
      const before = incoming.get(key);
      incoming.set(key, before === undefined ? siblings : [...before, ...siblings]);
      if (partition !== undefined) partitions.set(key, partition);
    }
    return this.applyUnique([...incoming.keys()], () => incoming, partitions);
  }

  /**
   * Read-modify-write of one key under its lock: `build` gets the stored
   * siblings and returns the incoming ones (it may throw, e.g. CONFLICT, to
   * abort with nothing written); they are merged and written. Writes of one
   * tick share one engine write (WriteGroup); each resolves once durable.
   * `partition`: the key's, if known (see the class comment).
   */
  update(key: string, build: (stored: Sibling[]) => readonly Sibling[], partition?: PartitionId): Promise<Sibling[]> {
    // Not async: the lock's promise is returned as is (an async wrapper costs a promise and two ticks per write);
    // a bad partition still rejects rather than throws.
    let p: PartitionId;
    let engineKey: Uint8Array;
    try {
      p = this.partitionOf(key, partition);
      engineKey = dataKey(p, key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.locks.run(key, async () => {
      // engine.get awaited here rather than through an async helper: one async frame and promise fewer per write.
      const stored = storedRecord(await this.engine.get(engineKey), key);
      const merged = this.resolver.merge(stored, build(stored));
      await this.group.put(engineKey, encodeRecord(merged));
      this.events.emitApplied(key, merged, p);
      return merged;
    });
  }

  /**
   * Applies several keys in one atomic engine write. `build` gets each key's
   * stored siblings and returns the incoming ones; all keys stay locked until
   * the write resolves. `partitions`: the keys' partitions where known (see
   * the class comment); the others are hashed.
   */
  async applyBatch(
    keys: readonly string[],
    build: (stored: ReadonlyMap<string, Sibling[]>) => ReadonlyMap<string, readonly Sibling[]>,
    partitions?: ReadonlyMap<string, PartitionId>,
  ): Promise<Map<string, Sibling[]>> {
    return this.applyUnique([...new Set(keys)], build, partitions);
  }

  /** applyBatch of keys already free of duplicates (applyMany's come from a Map: no Set and copy again). */
  private async applyUnique(
    unique: readonly string[],
    build: (stored: ReadonlyMap<string, Sibling[]>) => ReadonlyMap<string, readonly Sibling[]>,
    partitions?: ReadonlyMap<string, PartitionId>,
  ): Promise<Map<string, Sibling[]>> {
    const where: PartitionId[] = new Array<PartitionId>(unique.length);
    const engineKeys: Uint8Array[] = new Array<Uint8Array>(unique.length);
    for (let i = 0; i < unique.length; i++) {
      where[i] = this.partitionOf(unique[i]!, partitions?.get(unique[i]!));
      engineKeys[i] = dataKey(where[i]!, unique[i]!);
    }
    return this.locks.runAll(unique, async () => {
      const stored = new Map<string, Sibling[]>();
      for (let i = 0; i < unique.length; i++) stored.set(unique[i]!, storedRecord(await this.engine.get(engineKeys[i]!), unique[i]!));
      const incoming = build(stored);
      const merged = new Map<string, Sibling[]>();
      const ops: BatchOp[] = [];
      for (let i = 0; i < unique.length; i++) {
        const key = unique[i]!;
        const result = this.resolver.merge(stored.get(key) ?? [], incoming.get(key) ?? []);
        merged.set(key, result);
        ops.push({ type: 'put', key: engineKeys[i]!, value: encodeRecord(result) });
      }
      await this.engine.write(ops);
      for (let i = 0; i < unique.length; i++) this.events.emitApplied(unique[i]!, merged.get(unique[i]!)!, where[i]!);
      return merged;
    });
  }

  /**
   * The engine key holding the record of `key`: 'd' + its partition + its
   * UTF-8 bytes. `partition`: the key's, if known (checked to be in [0, Q),
   * INVALID_ARGUMENT; see the class comment); else the key is hashed.
   */
  keyOf(key: string, partition?: PartitionId): Uint8Array {
    return dataKey(this.partitionOf(key, partition), key);
  }

  /** `partition` checked to be in [0, Q) when given, else the key's hash partition. */
  private partitionOf(key: string, partition: PartitionId | undefined): PartitionId {
    if (partition === undefined) return partitionOfKey(key, this.partitionCount);
    checkPartitionId(partition, this.partitionCount);
    return partition;
  }

  /**
   * The records of one partition (a number, or `range.partition`), or of
   * every partition in partition order when none is given; within a
   * partition in UTF-8 byte order of the keys, bounded by `range.gte` /
   * `range.lt`. Reads the engine by those bounds only: a partition is one
   * contiguous engine range, so other partitions' keys are never visited
   * (without a partition but with key bounds: one bounded engine range per
   * partition). From a snapshot taken when iteration starts. For
   * anti-entropy and range streaming. INVALID_ARGUMENT (on the first
   * `next()`) for a partition outside [0, Q); a corrupt record throws
   * CORRUPTION. Close early with `return()` (a for-await `break`).
   */
  async *scan(range: ReplicaScanRange | PartitionId = {}): AsyncGenerator<[string, Sibling[]]> {
    const r: ReplicaScanRange = typeof range === 'number' ? { partition: range } : range;
    if (r.partition !== undefined) checkPartitionId(r.partition, this.partitionCount);
    if (r.partition !== undefined) this.damage.check(r.partition);
    const first = r.partition ?? 0;
    const last = r.partition ?? this.partitionCount - 1;
    const unserved = this.damage.unserved;
    if (r.gte === undefined && r.lt === undefined && unserved.size === 0) {
      yield* this.scanEngine(partitionRange(first, last), undefined);
      return;
    }
    const snapshot = this.engine.snapshot();
    try {
      for (let p = first; p <= last; p++) {
        if (unserved.has(p)) continue; // only when scanning every partition: one unserved partition was refused above
        const whole = partitionRange(p);
        const bounds = { gte: r.gte === undefined ? whole.gte : dataKey(p, r.gte), lt: r.lt === undefined ? whole.lt : dataKey(p, r.lt) };
        yield* this.scanEngine(bounds, snapshot);
      }
    } finally {
      snapshot.release();
    }
  }

  /**
   * One page of live records of `partition` for a cluster scan
   * (scanPage.ts readScanPage, at the Clock's now). INVALID_ARGUMENT for a
   * partition outside [0, Q) or a budget out of range.
   */
  async scanPage(partition: PartitionId, request: ScanPageRequest): Promise<ScanPageResult> {
    checkPartitionId(partition, this.partitionCount);
    this.damage.check(partition);
    return readScanPage(this.engine, partition, request, this.clock.now());
  }

  private async *scanEngine(
    bounds: { gte: Uint8Array; lt: Uint8Array },
    snapshot: Snapshot | undefined,
  ): AsyncGenerator<[string, Sibling[]]> {
    const it = this.engine.iterator({ ...bounds, snapshot });
    try {
      for (;;) {
        const batch = await it.nextv(256);
        if (batch.length === 0) return;
        for (const [k, v] of batch) yield [userKeyOf(k), decodeRecordShared(v, 'record')];
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
    return this.events.onApplied(listener);
  }

  /**
   * Calls `listener` with what compaction purged (tombstones and expired
   * values past `tombstones.graceMs`): the records, the versions dropped
   * from each, and whether the record is gone — once the purge is durable
   * (the engine reports after the compaction committed; a failed or
   * abandoned compaction reports nothing). A compaction's purges may come
   * in several calls (PURGE_REPORT_CHUNK records each); past the engine's
   * bound per compaction they are summarized as `unlisted` partitions. The
   * engine reports what compaction dropped, which may be an older record of
   * a key written since (reported through onApplied): read the key for its
   * current record. Only while the replica is started; synchronous, on the
   * engine's thread. A listener that throws is logged (warn) and counted in
   * `listenerFailures`; the purge stands and the other listeners run.
   */
  onPurged(listener: PurgedListener): Unsubscribe {
    return this.events.onPurged(listener);
  }

  /** onApplied and onPurged listeners that threw, since this replica was created. */
  get listenerFailures(): number {
    return this.events.failures;
  }
}

export const ReplicaToken: ServiceIdentifier<Replica> = Symbol.for('dynamis.Replica');

/** The siblings of `key` in `bytes`, what StorageEngine.get returned for its data key ([] when absent). */
function storedRecord(bytes: Uint8Array | undefined, key: string): Sibling[] {
  // The engine hands its result to the caller: the siblings may share its bytes.
  return bytes === undefined ? [] : decodeRecordShared(bytes, 'record', key);
}
