import {
  partitionBits,
  type Logger,
  type PartitionId,
  type Replica,
  type ReplicaPurges,
  type Sibling,
  type Unsubscribe,
} from '@dynamis/core';
import type { RateLimiter } from '../RateLimiter';
import { keyLeaf, keyPosition, recordDigest, type KeyPosition } from './digest';
import { PartitionTree } from './PartitionTree';

/**
 * What reports records purged from the replica (tombstones and expired values
 * dropped by compaction), after the purge is durable: core's
 * `Replica.onPurged`, which MerkleAntiEntropy subscribes to.
 */
export type PurgeSource = Pick<Replica, 'onPurged'>;

/** Most purged keys waiting to be re-read; past it the index is rebuilt instead. */
export const MAX_PENDING_PURGES = 65_536;
/** Most written keys whose digest waits for their partition's next tree read; one more, and they are all digested. */
export const MAX_PENDING_WRITES = 65_536;
/** Most version bytes those waiting records may hold (their values are not kept: a digest does not read them). */
export const MAX_PENDING_WRITE_BYTES = 4 * 1024 * 1024;

/** What a waiting write keeps of a value: a digest needs only whether there is one (a tombstone has none). */
const NO_VALUE = new Uint8Array(0);

/** The slice of Replica the index reads: its records and its write events. */
export type IndexedReplica = Pick<Replica, 'scan' | 'read' | 'onApplied'>;

/**
 * The Merkle trees of every partition this replica holds data for, kept up
 * to date as writes land (Replica.onApplied; the partition comes with the
 * event, unhashed) and as
 * purges land (PurgeSource: each purged key is re-read, since a newer write
 * may have landed meanwhile). The trees live in memory: after a start they
 * are rebuilt by one scan of the whole replica (`rebuild`), rate-limited, and
 * `ready` is false until it completes; a write that lands during the scan
 * wins over the scan's older copy of that key. Trees are created on first
 * use, so a partition with no keys costs nothing until asked for.
 *
 * Writes are folded in lazily: an event only records the key's latest
 * record in its partition (what a digest reads of it: versions, times,
 * tombstone flags; not the value); its digest (one MD5) and O(levels) XORs
 * are computed when that partition's tree is next read (`peek`; `size`
 * folds all) or once MAX_PENDING_WRITES keys or MAX_PENDING_WRITE_BYTES of
 * versions wait, so a key written many times between two reads of its
 * partition's tree is digested once. An exchange reads one partition's tree
 * at a time, each every few minutes: the keys written meanwhile are
 * digested once each instead of once per write (this fold had cost a
 * loaded cluster ~20% of its CPU per operation). Every read sees every write
 * reported before it, as if applied at once.
 */
export class MerkleIndex {
  private readonly trees = new Map<PartitionId, PartitionTree>();
  private empty: PartitionTree | undefined;
  private readonly bits: number;
  private touched: Set<string> | undefined;
  private ready_ = false;
  private stopped = false;
  private readonly pendingPurges = new Set<string>();
  private readonly purgesInFlight = new Map<string, boolean>();
  private draining = false;
  private rebuildAgain = false;
  private readonly unsubscribe: Unsubscribe[] = [];
  private rebuilding: Promise<void> | undefined;
  /** Per partition, written keys (insertion order) → their latest record as a digest reads it, not yet in the tree. */
  private readonly pendingWrites = new Map<PartitionId, Map<string, readonly Sibling[]>>();
  /** Keys waiting, over all partitions, and the version bytes they hold. */
  private pendingCount = 0;
  private pendingWriteBytes = 0;

  constructor(
    private readonly replica: IndexedReplica,
    readonly partitionCount: number,
    readonly levels: number,
    private readonly limiter: RateLimiter,
    private readonly log: Logger,
    private readonly purges: PurgeSource | undefined,
  ) {
    this.bits = partitionBits(partitionCount);
  }

  /** True once the trees reflect the whole replica (after the first rebuild). */
  get ready(): boolean {
    return this.ready_;
  }

  /** Subscribes to writes and purges, then rebuilds in the background. Resolves at once; `whenReady` waits. */
  start(): void {
    this.stopped = false;
    this.unsubscribe.push(this.replica.onApplied((key, siblings, partition) => this.applied(key, siblings, partition)));
    if (this.purges !== undefined) this.unsubscribe.push(this.purges.onPurged((keys) => this.purged(keys)));
    this.rebuilding = this.rebuildLoop();
  }

  /** Unsubscribes and ends the rebuild at its next key. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.flushWrites();
    this.limiter.cancel();
    await this.rebuilding;
  }

  /** Resolves when the rebuild finished (or the index stopped). */
  async whenReady(): Promise<void> {
    await this.rebuilding;
  }

  /** Where `key` sits in these trees. */
  position(key: string): KeyPosition {
    return keyPosition(key, this.bits, this.levels);
  }

  /**
   * The tree of `partition` for reading: a shared empty tree when the
   * partition has no keys here (so a peer's requests never allocate one).
   * Never mutate the result.
   */
  peek(partition: PartitionId): PartitionTree {
    this.flushPartition(partition);
    return this.trees.get(partition) ?? (this.empty ??= new PartitionTree(this.levels));
  }

  /** The tree of `partition`, created empty if it has none: for writes. */
  private tree(partition: PartitionId): PartitionTree {
    let tree = this.trees.get(partition);
    if (tree === undefined) {
      tree = new PartitionTree(this.levels);
      this.trees.set(partition, tree);
    }
    return tree;
  }

  /** Keys indexed, over all partitions. */
  get size(): number {
    this.flushWrites();
    let n = 0;
    for (const t of this.trees.values()) n += t.size;
    return n;
  }

  /** A write event: queued for its partition's next tree read (see the class comment); the replica names the partition. */
  private applied(key: string, siblings: readonly Sibling[], partition: PartitionId): void {
    let waiting = this.pendingWrites.get(partition);
    if (waiting === undefined) {
      waiting = new Map();
      this.pendingWrites.set(partition, waiting);
    }
    const before = waiting.get(key);
    if (before === undefined) this.pendingCount++;
    else this.pendingWriteBytes -= versionBytes(before);
    const kept = digestInput(siblings);
    waiting.set(key, kept);
    this.pendingWriteBytes += versionBytes(kept);
    this.touched?.add(key);
    if (this.purgesInFlight.has(key)) this.purgesInFlight.set(key, true);
    if (this.pendingCount > MAX_PENDING_WRITES || this.pendingWriteBytes > MAX_PENDING_WRITE_BYTES) this.flushWrites();
  }

  /** Digests every waiting write into its tree. */
  private flushWrites(): void {
    for (const partition of this.pendingWrites.keys()) this.flushPartition(partition); // deleting the current entry is safe
  }

  /** Digests the writes waiting in `partition` into its tree. */
  private flushPartition(partition: PartitionId): void {
    const waiting = this.pendingWrites.get(partition);
    if (waiting === undefined) return;
    const tree = this.tree(partition);
    for (const [key, siblings] of waiting) {
      tree.set(key, keyLeaf(key, this.levels), recordDigest(key, siblings));
      this.pendingWriteBytes -= versionBytes(siblings);
    }
    this.pendingCount -= waiting.size;
    this.pendingWrites.delete(partition);
  }

  /**
   * Queues each purged key for a re-read. A report with an `unlisted` range
   * (the engine purged more than it itemized) cannot say which keys changed:
   * the trees are rebuilt instead.
   */
  private purged(purges: ReplicaPurges): void {
    if (this.stopped) return;
    if (purges.unlisted !== undefined) {
      this.log.warn('purges not itemized by the engine; rebuilding the Merkle trees', { ...purges.unlisted });
      this.pendingPurges.clear();
      this.requestRebuild();
      return;
    }
    for (const record of purges.records) this.pendingPurges.add(record.key);
    if (this.pendingPurges.size > MAX_PENDING_PURGES) {
      this.log.warn('too many purged keys pending; rebuilding the Merkle trees', { pending: this.pendingPurges.size });
      this.pendingPurges.clear();
      this.requestRebuild();
      return;
    }
    if (!this.draining) void this.drainPurges();
  }

  /** Re-reads each purged key and indexes what the replica holds now (a write landing meanwhile wins). */
  private async drainPurges(): Promise<void> {
    this.draining = true;
    try {
      while (!this.stopped && this.pendingPurges.size > 0) {
        const key = this.pendingPurges.values().next().value as string;
        this.pendingPurges.delete(key);
        this.purgesInFlight.set(key, false);
        try {
          const siblings = await this.replica.read(key);
          if (this.purgesInFlight.get(key) === false) {
            // No write since the re-read began: it is newer than any write still waiting for this key.
            this.dropPendingWrite(key);
            const { partition, leaf } = this.position(key);
            this.tree(partition).set(key, leaf, recordDigest(key, siblings));
            this.touched?.add(key);
          }
        } catch (err) {
          this.log.warn('could not re-read a purged key; rebuilding the Merkle trees', { key, error: String(err) });
          this.requestRebuild();
        } finally {
          this.purgesInFlight.delete(key);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Forgets the write waiting for `key` in its own partition (the one purges are re-read in). */
  private dropPendingWrite(key: string): void {
    const partition = this.position(key).partition;
    const waiting = this.pendingWrites.get(partition);
    const w = waiting?.get(key);
    if (w === undefined) return;
    this.pendingWriteBytes -= versionBytes(w);
    this.pendingCount--;
    waiting!.delete(key);
    if (waiting!.size === 0) this.pendingWrites.delete(partition);
  }

  private requestRebuild(): void {
    if (this.touched !== undefined) this.rebuildAgain = true;
    else this.rebuilding = this.rebuildLoop();
  }

  private async rebuildLoop(): Promise<void> {
    do {
      this.rebuildAgain = false;
      try {
        await this.rebuild();
      } catch (err) {
        this.touched = undefined;
        if (this.stopped) return;
        this.log.error('Merkle tree rebuild failed; exchanges stay refused until a rebuild succeeds', { error: String(err) });
        return;
      }
    } while (this.rebuildAgain && !this.stopped);
  }

  /**
   * One scan of the replica into fresh trees, at most `rebuildKeysPerSecond`
   * keys a second. Keys written (or re-read after a purge) while it runs are
   * kept as they are; the scan's copy of them is older.
   */
  private async rebuild(): Promise<void> {
    this.ready_ = false;
    this.pendingWrites.clear(); // the scan reads each of them as it is now (or a later write re-queues it)
    this.pendingCount = 0;
    this.pendingWriteBytes = 0;
    this.trees.clear();
    this.touched = new Set();
    let scanned = 0;
    for await (const [key, siblings] of this.replica.scan()) {
      if (this.stopped) return;
      scanned++;
      if (!this.touched.has(key)) {
        const { partition, leaf } = this.position(key);
        this.tree(partition).set(key, leaf, recordDigest(key, siblings));
      }
      if (scanned % 256 === 0) await this.limiter.take(256);
    }
    this.touched = undefined;
    this.ready_ = !this.stopped;
    this.log.info('Merkle trees rebuilt', { keys: this.size, scanned, partitions: this.trees.size });
  }
}

/** Version bytes of a waiting record (what it keeps alive). */
function versionBytes(siblings: readonly Sibling[]): number {
  let n = 0;
  for (let i = 0; i < siblings.length; i++) n += siblings[i]!.version.length;
  return n;
}

/**
 * What a digest reads of `siblings` (recordDigest: versions, tombstone
 * flags, times; not values), without keeping the values alive, nor the
 * larger buffer a version may be a view of (it is copied then).
 */
function digestInput(siblings: readonly Sibling[]): Sibling[] {
  const out: Sibling[] = [];
  for (let i = 0; i < siblings.length; i++) {
    const s = siblings[i]!;
    const v = s.version;
    const version = v.byteLength === v.buffer.byteLength ? v : (new Uint8Array(v) as typeof v);
    const value = s.value === null ? null : NO_VALUE;
    out.push(
      s.expiresAt === undefined
        ? { version, value, writtenAt: s.writtenAt }
        : { version, value, writtenAt: s.writtenAt, expiresAt: s.expiresAt },
    );
  }
  return out;
}
