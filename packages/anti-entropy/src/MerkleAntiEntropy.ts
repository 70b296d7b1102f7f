import {
  checkPartitionId,
  DynamisError,
  parseWithSchema,
  type AntiEntropy,
  type Clock,
  type DynamisConfig,
  type Lifecycle,
  type Logger,
  type Membership,
  type MessageRouter,
  type NodeId,
  type Partitioner,
  type PartitionId,
  type PeerRpc,
  type Random,
  type RepairStats,
  type Replica,
  type ReplicaClient,
} from '@dynamis/core';
import { Exchange } from './Exchange';
import { MerkleIndex, type PurgeSource } from './merkle/MerkleIndex';
import { antiEntropyOptionsSchema, DEFAULT_INTERVAL_MS, type AntiEntropyOptionsInput } from './options';
import { RateLimiter } from './RateLimiter';
import { RepairHorizons } from './RepairHorizons';
import { RepairScheduler } from './RepairScheduler';
import { TreeService } from './TreeService';

/** Collaborators of MerkleAntiEntropy (the plugin takes them from the container). */
export interface MerkleAntiEntropyDeps {
  readonly config: DynamisConfig;
  readonly replica: Replica;
  readonly replicas: ReplicaClient;
  readonly rpc: PeerRpc;
  readonly router: MessageRouter;
  readonly partitioner: Partitioner;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Skips peers it says are down (optional: without it every replica is tried). */
  readonly membership?: Membership | undefined;
  /**
   * Where purged records are reported. Default: the Replica's own `onPurged`
   * (core's purge hook: after the compaction that purged them is durable).
   */
  readonly purges?: PurgeSource | undefined;
}

/** Cumulative counters of one node's anti-entropy. */
export interface AntiEntropyStats {
  readonly exchanges: number;
  readonly failedExchanges: number;
  readonly nodesCompared: number;
  readonly keysSent: number;
  readonly keysReceived: number;
  readonly bytesTransferred: number;
}

/**
 * The AntiEntropy port over per-partition Merkle trees (MerkleIndex), kept
 * current as writes and purges land, served to peers (TreeService) and
 * compared by `exchange` (Exchange) and, unless `scheduler: false`, by a
 * periodic RepairScheduler. Options are validated on construction
 * (INVALID_CONFIG naming the key). On start the trees are rebuilt by one
 * rate-limited scan of the replica; until then `exchange` and the peers'
 * requests are refused UNAVAILABLE (`rebuilding`). Exchange traffic and
 * rebuild reads share nothing: each has its own rate limit.
 */
export class MerkleAntiEntropy implements AntiEntropy, Lifecycle {
  private readonly index: MerkleIndex;
  private readonly service: TreeService;
  private readonly scheduler: RepairScheduler | undefined;
  private readonly bytesLimiter: RateLimiter;
  private readonly rebuildLimiter: RateLimiter;
  private readonly options;
  private stopped = true;
  private readonly horizonsOf: RepairHorizons;
  private readonly counters = { exchanges: 0, failedExchanges: 0, nodesCompared: 0, keysSent: 0, keysReceived: 0, bytesTransferred: 0 };

  constructor(
    private readonly deps: MerkleAntiEntropyDeps,
    options: AntiEntropyOptionsInput = {},
  ) {
    this.options = parseWithSchema(antiEntropyOptionsSchema, options, 'options of @dynamis/anti-entropy');
    const log = deps.logger.child({ plugin: '@dynamis/anti-entropy' });
    this.bytesLimiter = new RateLimiter(this.options.maxBytesPerSecond, deps.clock);
    this.rebuildLimiter = new RateLimiter(this.options.rebuildKeysPerSecond, deps.clock);
    const purges = deps.purges ?? deps.replica;
    const q = deps.partitioner.placement().partitionCount;
    this.index = new MerkleIndex(deps.replica, q, this.options.treeLevels, this.rebuildLimiter, log, purges);
    this.service = new TreeService(this.index, deps.router, this.options);
    this.horizonsOf = new RepairHorizons(deps.config.nodeId, deps.config.replication.n, deps.partitioner);
    if (this.options.scheduler) {
      this.scheduler = new RepairScheduler({
        self: deps.config.nodeId,
        n: deps.config.replication.n,
        intervalMs: this.options.intervalMs ?? DEFAULT_INTERVAL_MS,
        partitioner: deps.partitioner,
        membership: deps.membership,
        clock: deps.clock,
        random: deps.random,
        log,
        ready: () => this.index.ready,
        exchange: (peer, partition) => this.exchange(peer, partition),
      });
    }
  }

  /**
   * Subscribes to the replica, starts the rebuild (in the background), serves
   * peers, starts the scheduler, and makes the replica's tombstone GC wait
   * for this node's repair horizons (Replica.useRepairHorizons).
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.deps.replica.useRepairHorizons(this);
    this.index.start();
    this.service.start();
    this.scheduler?.start();
  }

  /** Stops the scheduler and the service; exchanges in flight end at their next step (UNAVAILABLE). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduler?.stop();
    this.deps.replica.useRepairHorizons(undefined);
    this.service.stop();
    this.bytesLimiter.cancel();
    await this.index.stop();
  }

  /**
   * See AntiEntropy.exchange. Throws INVALID_ARGUMENT for `peer` equal to
   * this node or not a string, or `range` outside [0, Q); UNAVAILABLE when
   * stopped or while the trees are rebuilt (`rebuilding: true`); otherwise
   * what Exchange rejects with. Any two nodes may exchange any partition:
   * the scheduler picks replicas of the placement, a direct call is the
   * caller's choice.
   */
  async exchange(peer: NodeId, range: PartitionId): Promise<RepairStats> {
    if (typeof peer !== 'string' || peer.length === 0 || peer === this.deps.config.nodeId) {
      throw new DynamisError('INVALID_ARGUMENT', `peer must be another node's id, got ${JSON.stringify(peer)}`);
    }
    checkPartitionId(range, this.index.partitionCount);
    if (this.stopped) throw new DynamisError('UNAVAILABLE', 'anti-entropy is not started', { details: { notStarted: true } });
    if (!this.index.ready) {
      throw new DynamisError('UNAVAILABLE', 'anti-entropy trees are being rebuilt; retry later', { details: { rebuilding: true } });
    }
    const exchange = new Exchange(
      {
        index: this.index,
        rpc: this.deps.rpc,
        replicas: this.deps.replicas,
        replica: this.deps.replica,
        options: this.options,
        batchKeys: Math.min(this.options.maxKeysPerRequest, this.deps.config.limits.maxBatchOps),
        limiter: this.bytesLimiter,
        clock: this.deps.clock,
        stopped: () => this.stopped,
      },
      peer,
      range,
    );
    try {
      const { stats, syncedAt } = await exchange.run();
      this.add(stats);
      if (syncedAt !== undefined) this.horizonsOf.record(range, peer, syncedAt);
      return stats;
    } catch (err) {
      this.counters.failedExchanges++;
      throw err;
    }
  }

  /** The root hash of `range`'s tree on this node (16 bytes; all zero for no keys). INVALID_ARGUMENT outside [0, Q). */
  root(range: PartitionId): Uint8Array {
    checkPartitionId(range, this.index.partitionCount);
    return this.index.peek(range).root();
  }

  /**
   * When this node last found `range` equal with `peer`: the Clock time
   * (`now()`) just before the root comparison that found both roots equal,
   * in the latest exchange this node ran with that peer for that range that
   * ended equal (see Exchange.run); undefined if none did since start. Every
   * record either node held then was on both (or superseded on both), which
   * is what a tombstone GC that waits for repair needs to know. Exchanges the
   * peer ran with this node are not seen here. Bounded: one entry per
   * (range, peer) pair exchanged.
   */
  syncedAt(range: PartitionId, peer: NodeId): number | undefined {
    return this.horizonsOf.syncedAt(range, peer);
  }

  /**
   * See AntiEntropy.repairedThrough: per partition, the least `syncedAt`
   * over the other nodes of its preference list (`replication.n` of the
   * current placement). Only exchanges this node ran count (the scheduler
   * runs one per pair of every partition it holds, so a horizon moves once
   * per scheduler cycle).
   */
  repairedThrough(): Float64Array {
    return this.horizonsOf.horizons();
  }

  /** True once the trees reflect the whole replica. */
  get ready(): boolean {
    return this.index.ready;
  }

  /** Resolves once the start-up rebuild ended (or the service stopped). */
  whenReady(): Promise<void> {
    return this.index.whenReady();
  }

  /** A copy of the cumulative counters (scheduled and direct exchanges). */
  stats(): AntiEntropyStats {
    return { ...this.counters };
  }

  private add(s: RepairStats): void {
    const c = this.counters;
    c.exchanges++;
    c.nodesCompared += s.nodesCompared;
    c.keysSent += s.keysSent;
    c.keysReceived += s.keysReceived;
    c.bytesTransferred += s.bytesTransferred;
  }
}
