import {
  KeyLocks,
  asCausalContext,
  ClockToken,
  ConfigToken,
  ConflictResolverToken,
  DEFAULT_SPECULATIVE_RETRY_MS,
  DynamisError,
  HintStoreToken,
  liveValues,
  LoggerToken,
  MembershipToken,
  MessageRouterToken,
  PartitionerToken,
  PeerRpcToken,
  RebalancerToken,
  ReplicaClientToken,
  type Clock,
  type ConflictResolver,
  type Coordinator,
  type DynamisConfig,
  type HintStore,
  type Lifecycle,
  type Logger,
  type Membership,
  type MessageRouter,
  type NodeId,
  type Partitioner,
  type PartitionId,
  type PeerRpc,
  type Placement,
  type ReadOptions,
  type ReadResult,
  type Rebalancer,
  type ReplicaClient,
  type ScanOptions,
  type ScanPage,
  type Sibling,
  type StoreBatchOp,
  type Unsubscribe,
  type WriteOptions,
  type WriteResult,
  walkScan,
} from '@dynamis/core';
import { inject, injectable, optional } from 'inversify';
import type { z } from 'zod';
import { fanout, quorumNotReached, type Fanout, type FanoutOutcome, type Missing } from './fanout';
import { LocalWriteGate } from './LocalWriteGate';
import { ReplicaBatcher } from './ReplicaBatcher';
import {
  FORWARD_MESSAGE,
  FORWARD_REPLY,
  forwardReadReplySchema,
  forwardRequestSchema,
  forwardWriteReplySchema,
  type ForwardRequest,
} from './forwardProtocol';
import { quorumLevels, replicasFor, type QuorumLevels } from './levels';
import { sameRecord } from './sameRecord';
import { batchFailure } from './batchFailure';
import { checkCondition, validateContext } from './conditions';
import { forwardedOptions, forwardWrite, requestLevel, wireValue, type Write } from './forwardCodec';
import { scanFetcher } from './scanFetcher';
import { sloppyEnabled, sloppyTargets, storeHint, type WriteTargets } from './sloppy';
import { SelectiveFanout, type ExtraAsks } from './SelectiveFanout';
import { SpeculationSweep } from './SpeculationSweep';
import { DigestRead, type DigestCounts } from './DigestRead';

const OWNER = '@dynamis/quorum';

/** Where one request's key lives: the placement it was read from, the key's partition, its first N nodes. */
interface Location {
  readonly placement: Placement;
  readonly partition: PartitionId;
  /** The replicas to read from (and to forward to): they hold the partition's data. */
  readonly prefs: readonly NodeId[];
  /** The replicas to write to: `prefs` plus, while the partition moves, the gaining ones. */
  readonly write: readonly NodeId[];
  /** Acks needed beyond W while the partition moves (the Rebalancer's route). */
  readonly extraAcks: number;
}
/** Most read repairs in flight on one node; a read beyond it skips its repair (counted in readRepairsSkipped). */
export const MAX_REPAIRS_IN_FLIGHT = 1024;

/** How long a coordinator remembers a forwarded write's requestId (ms of its wall clock): longer than any forward's deadline. */
export const FORWARD_DEDUP_MS = 120_000;
/** Most forwarded-write ids a coordinator remembers (oldest forgotten first). */
export const FORWARD_DEDUP_ENTRIES = 4096;

/** Counters since start. */
export interface QuorumStats {
  /** Replicas sent the reconciled record after a read found them older or different. */
  readRepairs: number;
  /** Repairs not attempted because MAX_REPAIRS_IN_FLIGHT were already running. */
  readRepairsSkipped: number;
  /** Repairs that failed (the read itself had already succeeded). */
  readRepairsFailed: number;
  /** Requests this node forwarded to a node of the key's preference list. */
  forwarded: number;
  /** Duplicate deliveries of a forwarded write this node served with the first delivery's outcome. */
  duplicateForwards: number;
  /** Sloppy-quorum writes' hints a fallback node acknowledged (durable there, counted toward W). */
  hinted: number;
  /** readFanout 'quorum': replicas asked because one asked before had not answered within speculativeRetryMs. */
  readSpeculations: number;
  /** readFanout 'quorum': replicas asked because one asked before failed (error, timeout). */
  readFailovers: number;
  /** readFanout 'quorum': digest replies that differed from the full record (that replica's record fetched in a second round). */
  readDigestMismatches: number;
  /** Hints a fallback node did not acknowledge (overloaded, timeout, down): missing from their write. */
  hintsFailed: number;
}

/**
 * A Dynamo-style Coordinator over the key's N primaries (README: guarantees
 * and limits). A node in the key's preference list coordinates; any other
 * node forwards the request once to the first live node of the list.
 * Writes stamp a version on the coordinator's local record, merge it in and
 * send the merged record to every live primary, answering after W acks;
 * reads ask R live primaries (self first; more when one fails or is slow:
 * `replication.readFanout` 'quorum') or every live one ('all'), answer after
 * R replies with their reconciliation, then repair the replicas that
 * answered something else.
 */
@injectable()
export class QuorumCoordinator implements Coordinator, Lifecycle {
  readonly levels: QuorumLevels;
  private readonly counters: QuorumStats = {
    readRepairs: 0,
    readRepairsSkipped: 0,
    readRepairsFailed: 0,
    forwarded: 0,
    duplicateForwards: 0,
    hinted: 0,
    hintsFailed: 0,
    readSpeculations: 0,
    readFailovers: 0,
    readDigestMismatches: 0,
  };
  /** What DigestRead counts. */
  private readonly digestCounts: DigestCounts = { mismatches: 0 };
  /** What SelectiveFanout counts (copied into the counters by stats()). */
  private readonly extraAsks: ExtraAsks = { speculative: 0, failover: 0 };
  /** The speculative retries of every read of this coordinator: one Clock timer. */
  private readonly speculation: SpeculationSweep;
  /** True for readFanout 'all' (every live primary asked). */
  private readonly readAll: boolean;
  private repairsInFlight = 0;
  private unsubscribe: Unsubscribe[] = [];
  private readonly locks = new KeyLocks();
  /** The hot path's replica calls, coalesced per destination and tick (read repair goes direct). */
  private readonly batcher: ReplicaBatcher;
  /** Forwarded writes this node coordinated, by `${from} ${requestId}`, oldest first: a duplicate delivery gets the first one's outcome. */
  private readonly servedForwards = new Map<
    string,
    { readonly at: number; readonly result: Promise<{ type: string; payload: unknown }> }
  >();
  /** This instance's prefix of the request ids it forwards (its start wall time), then a counter. */
  private readonly forwardIdPrefix: string;
  private forwardSeq = 0;

  constructor(
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(PartitionerToken) private readonly partitioner: Partitioner,
    @inject(MembershipToken) private readonly membership: Membership,
    @inject(ReplicaClientToken) private readonly replicas: ReplicaClient,
    @inject(PeerRpcToken) private readonly rpc: PeerRpc,
    @inject(MessageRouterToken) private readonly router: MessageRouter,
    @inject(LoggerToken) private readonly logger: Logger,
    @inject(HintStoreToken) @optional() private readonly hints: HintStore | undefined = undefined,
    @inject(RebalancerToken) @optional() private readonly rebalancer: Rebalancer | undefined = undefined,
  ) {
    this.levels = quorumLevels(config, hints !== undefined);
    this.batcher = new ReplicaBatcher(replicas, config.limits.maxBatchOps);
    this.forwardIdPrefix = Math.floor(clock.now()).toString(36);
    this.readAll = config.replication.readFanout === 'all';
    this.speculation = new SpeculationSweep(clock, config.replication.speculativeRetryMs ?? DEFAULT_SPECULATIVE_RETRY_MS);
  }

  private get self(): NodeId {
    return this.config.nodeId;
  }

  /** Places keys over the current members, follows membership events, serves forwarded requests. */
  async start(): Promise<void> {
    const update = (): void => void this.partitioner.update(this.membership.members());
    update();
    for (const event of ['up', 'down', 'joined', 'joining', 'left'] as const) this.unsubscribe.push(this.membership.on(event, update));
    if (!this.router.has(FORWARD_MESSAGE)) {
      this.router.register(FORWARD_MESSAGE, forwardRequestSchema, async (from, request) => this.serveForwardedOnce(from, request), OWNER);
    }
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.router.unregister(FORWARD_MESSAGE);
    this.speculation.stop();
  }

  /** A copy of the counters. */
  stats(): QuorumStats {
    return {
      ...this.counters,
      readSpeculations: this.extraAsks.speculative,
      readFailovers: this.extraAsks.failover,
      readDigestMismatches: this.digestCounts.mismatches,
    };
  }

  put(key: string, value: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    return this.write(key, { value, ttlMs: options.ttlMs }, options, false);
  }

  delete(key: string, options: WriteOptions): Promise<WriteResult> {
    return this.write(key, { value: null }, options, false);
  }

  async get(key: string, options: ReadOptions): Promise<ReadResult> {
    const r = replicasFor(options.consistency ?? this.config.replication.r, this.levels.n, 'read');
    const at = this.locate(key);
    const prefs = at.prefs;
    if (!prefs.includes(this.self)) {
      const reply = await this.forward(prefs, { op: 'get', key, ...requestLevel(options) }, forwardReadReplySchema, options.timeoutMs);
      return { ...reply, context: asCausalContext(reply.context) };
    }
    const merged = await this.quorumRead(key, at, r, options.timeoutMs);
    const now = this.clock.now();
    const siblings = liveValues(merged, now);
    return { found: siblings.length > 0, siblings, context: this.resolver.context(merged) };
  }

  /**
   * Applies each op independently (no cross-key atomicity), in parallel.
   * Resolves with one WriteResult per op when every key succeeded; otherwise
   * rejects with the first failed key's code, `details.outcomes` giving every
   * key's outcome (`{ key, ok: true, acks }` or `{ key, ok: false, code, message }`):
   * the keys that succeeded stay written.
   */
  async batch(ops: readonly StoreBatchOp[], options: WriteOptions): Promise<WriteResult[]> {
    const results = await Promise.allSettled(
      ops.map((op) => {
        const write = op.type === 'put' ? { value: op.value, ttlMs: op.ttlMs } : { value: null };
        const opts = { ...options, ...(op.context === undefined ? {} : { context: op.context }) };
        return this.write(op.key, write, opts, false);
      }),
    );
    if (results.every((r) => r.status === 'fulfilled')) return results.map((r) => r.value);
    throw batchFailure(ops, results);
  }

  /**
   * One page of a cluster-wide scan (walkScan over scanFetcher): each
   * partition read from one live replica holding it, falling over to the
   * next on failure. Served by this node whatever the partitions: nothing
   * is forwarded.
   */
  scan(options: ScanOptions): Promise<ScanPage> {
    const sources = {
      self: this.self,
      n: this.levels.n,
      partitioner: this.partitioner,
      membership: this.membership,
      replicas: this.replicas,
      rebalancer: this.rebalancer,
    };
    const partitions = this.partitioner.placement().partitionCount;
    const fetch = scanFetcher(sources, options.timeoutMs);
    return walkScan(options, partitions, this.config.limits, fetch, this.resolver, () => this.clock.now());
  }

  private async write(key: string, write: Write, options: WriteOptions, forwarded: boolean): Promise<WriteResult> {
    const at = this.locate(key);
    const w = Math.min(
      at.write.length,
      replicasFor(options.consistency ?? this.config.replication.w, this.levels.n, 'write') + at.extraAcks,
    );
    const sloppy = sloppyEnabled(options.sloppyQuorum, this.config.replication.sloppyQuorum, this.hints !== undefined);
    const prefs = at.prefs;
    const partition = at.partition;
    if (!forwarded && !prefs.includes(this.self)) {
      const request = forwardWrite(key, write, options, `${this.forwardIdPrefix}.${(++this.forwardSeq).toString(36)}`);
      const reply = await this.forward(prefs, request, forwardWriteReplySchema, options.timeoutMs);
      return { acks: reply.acks, context: asCausalContext(reply.context) };
    }
    const now = this.clock.now();
    validateContext(this.resolver, options.context, now);
    validateContext(this.resolver, options.ifVersion, now);
    const { live, skipped: down, hintFor } = this.writeTargets(at, sloppy);
    const call = this.callOptions(options.timeoutMs);
    // Read, stamp and the local write run under the key's lock: the next write
    // through this node stamps over this one (a distinct dot even if the
    // resolver's in-memory counter was lost with a restart). A resolver whose
    // stamps supersede all its earlier ones (stampsMonotonic: LWW's HLC) needs
    // the lock only until the stamp, unless the write is conditional (its check
    // must see the previous write): the local write, which LocalWriteGate may
    // hold for a remote ack, no longer queues the key's next write behind it.
    const conditional = options.ifAbsent === true || options.ifVersion !== undefined;
    const holdForLocalWrite = conditional || this.resolver.stampsMonotonic !== true;
    const { acks, sibling, gate } = await this.locks.run(key, async () => {
      let base = await this.batcher.read(this.self, key, call, partition);
      if (conditional) {
        const read = await this.quorumRead(key, at, this.levels.r, options.timeoutMs);
        base = this.resolver.merge(base, read);
        checkCondition(this.resolver, key, base, options, this.clock.now());
      }
      const stampedAt = this.clock.now();
      const version = this.resolver.stamp(this.self, options.context ?? options.ifVersion, base, stampedAt);
      const value = write.value === null ? null : ownCopy(write.value);
      const sibling: Sibling =
        write.ttlMs === undefined
          ? { version, value, writtenAt: stampedAt }
          : { version, value, writtenAt: stampedAt, expiresAt: stampedAt + write.ttlMs };
      // The merged record, not only the new sibling: a replica that missed an
      // earlier write must not keep a sibling the new version already supersedes.
      const merged = this.resolver.merge(base, [sibling]);
      const local: { write?: Promise<number> } = {};
      const gated = this.resolver.maxSkewMs !== undefined;
      const gate = new LocalWriteGate(gated ? live.filter((node) => node !== this.self).length : 0);
      const acks = fanout(
        () => `write of ${JSON.stringify(key)}`,
        live,
        down,
        w,
        (node) => {
          if (node === this.self) {
            local.write = gate.open.then(() => this.batcher.write(node, key, merged, call, partition));
            return local.write;
          }
          const target = hintFor.get(node);
          const sent =
            target !== undefined ? this.hint(node, target, key, merged, call) : this.batcher.write(node, key, merged, call, partition);
          sent.then(
            () => gate.accepted(),
            (err: unknown) => gate.refused(node, err),
          );
          return sent;
        },
      );
      if (holdForLocalWrite) await local.write?.catch(() => undefined);
      return { acks, sibling, gate };
    });
    // Awaited in a try, not through .catch(async ...): no closure and promise per write that succeeds.
    let outcome: FanoutOutcome<number>;
    try {
      outcome = await acks.quorum;
    } catch (err) {
      if (gate.skew !== undefined) throw gate.skew;
      if (!gate.gated) throw err;
      // The local write ran after the remotes failed: report it as the replicas did, once every call settled.
      throw quorumNotReached(() => `write of ${JSON.stringify(key)}`, w, await acks.settled);
    }
    return { context: this.resolver.context([sibling]), acks: outcome.answered.size };
  }

  /**
   * Asks `r` live primaries, self first, the first for its record and the
   * others for a digest (readFanout 'quorum': more only when one fails or is
   * slow; SelectiveFanout, DigestRead) or every live primary for its record ('all');
   * resolves with the reconciliation of the first `r` replies, then repairs
   * the ones asked in the background.
   */
  private async quorumRead(key: string, at: Location, r: number, timeoutMs: number | undefined): Promise<Sibling[]> {
    const split = this.split(at.prefs);
    const live = split.live;
    // Fewer readable replicas than N: say which ones the Rebalancer's route left out, and why (not "believed down").
    const down =
      at.prefs.length < this.levels.n && this.rebalancer !== undefined ? [...split.down, ...notHolders(at, this.levels.n)] : split.down;
    const call = this.callOptions(timeoutMs);
    const what = (): string => `read of ${JSON.stringify(key)}`;
    let replies: Fanout<Sibling[]>;
    if (this.readAll) {
      replies = fanout(what, live, down, r, (node) => this.batcher.read(node, key, call, at.partition));
    } else {
      const digests = new DigestRead(this.batcher, key, call, at.partition, r, this.digestCounts);
      replies = new SelectiveFanout(what, selfFirst(live, this.self), down, r, digests.read, this.speculation, this.extraAsks);
    }
    const outcome = await replies.quorum;
    void replies.settled.then((all) => this.repair(key, at.partition, all.answered));
    return this.reconcile(outcome.answered.values());
  }

  /** Sends the reconciled record to every replica that answered something else. Never throws. */
  private repair(key: string, partition: PartitionId, answered: ReadonlyMap<NodeId, Sibling[]>): void {
    let merged: Sibling[];
    try {
      merged = this.reconcile(answered.values());
    } catch (err) {
      this.counters.readRepairsFailed++;
      this.logger.debug('read repair failed', { key, error: (err as Error).message });
      return;
    }
    for (const [node, record] of answered) {
      if (sameRecord(record, merged)) continue;
      if (this.repairsInFlight >= MAX_REPAIRS_IN_FLIGHT) {
        this.counters.readRepairsSkipped++;
        continue;
      }
      this.repairsInFlight++;
      this.replicas.write(node, key, merged, {}, partition).then(
        () => {
          this.repairsInFlight--;
          this.counters.readRepairs++;
        },
        (err: unknown) => {
          this.repairsInFlight--;
          this.counters.readRepairsFailed++;
          this.logger.debug('read repair failed', { key, node, error: (err as Error).message });
        },
      );
    }
  }

  /** The merge of `records`, in order (read from the map's values: no array of them, no reduce closure). */
  private reconcile(records: Iterable<Sibling[]>): Sibling[] {
    let acc: Sibling[] = [];
    for (const record of records) acc = this.resolver.merge(acc, record);
    return acc;
  }

  /**
   * The key's partition (its one hash for this request) and where its requests
   * go, from one placement: the Rebalancer's route when one is bound (reads
   * from nodes holding the data, writes to old and new replicas while a
   * partition moves, with the extra acks that needs), else the placement's
   * preference list for both.
   */
  private locate(key: string): Location {
    const placement = this.partitioner.placement();
    const partition = placement.partitionOf(key);
    if (this.rebalancer !== undefined) {
      const route = this.rebalancer.route(placement, partition, this.levels.n);
      return { placement, partition, prefs: route.read, write: route.write, extraAcks: route.extraAcks };
    }
    const prefs = placement.preferenceList(partition, this.levels.n);
    return { placement, partition, prefs, write: prefs, extraAcks: 0 };
  }

  /** Under sloppy quorum the plan's primaries and hint holders (sloppy.ts), else the live primaries. */
  private writeTargets(at: Location, sloppy: boolean): WriteTargets {
    if (!sloppy) {
      const { live, down } = this.split(at.write);
      return { live, skipped: down, hintFor: NO_HINTS };
    }
    const fallbacks = at.placement.fallbacks(at.partition, this.levels.n).filter((id) => !at.write.includes(id));
    return sloppyTargets(at.write, fallbacks, (id) => this.membership.isAlive(id), this.self);
  }

  /** `hints.store` on `holder` for down primary `target`, counted in stats. */
  private hint(holder: NodeId, target: NodeId, key: string, siblings: Sibling[], call: { timeoutMs?: number }): Promise<number> {
    return storeHint(this.rpc, holder, target, key, siblings, call).then(
      (n) => {
        this.counters.hinted++;
        return n;
      },
      (err: unknown) => {
        this.counters.hintsFailed++;
        throw err;
      },
    );
  }

  /** Primaries believed alive (asked) and those believed down (reported missing, not asked). Self is always alive. */
  private split(prefs: readonly NodeId[]): { readonly live: readonly NodeId[]; readonly down: readonly Missing[] } {
    // The usual case, every primary alive: `prefs` itself (its callers only read it) and no new arrays.
    let alive = 0;
    while (alive < prefs.length && (prefs[alive] === this.self || this.membership.isAlive(prefs[alive]!))) alive++;
    if (alive === prefs.length) return { live: prefs, down: NONE_DOWN };
    const live: NodeId[] = [];
    const down: Missing[] = [];
    for (const node of prefs) {
      if (node === this.self || this.membership.isAlive(node)) live.push(node);
      else down.push({ node, reason: 'down (membership)' });
    }
    return { live, down };
  }

  /** One hop: to the first live node of the preference list, which coordinates and never forwards again. */
  private async forward<S extends z.ZodType>(
    prefs: readonly NodeId[],
    request: ForwardRequest,
    replySchema: S,
    timeoutMs: number | undefined,
  ): Promise<z.output<S>> {
    const target = prefs.find((node) => this.membership.isAlive(node));
    if (target === undefined) {
      throw new DynamisError('QUORUM_NOT_REACHED', `no live primary for ${JSON.stringify(request.key)} to forward to`, {
        details: { required: 1, answered: [], missing: prefs.map((node) => ({ node, reason: 'down (membership)' })) },
      });
    }
    this.counters.forwarded++;
    // The target runs its own replica calls on the request's timeout; ours allows for that and the hop itself.
    const ms = 2 * (timeoutMs ?? this.config.timeouts.requestMs);
    return this.rpc.call(target, FORWARD_MESSAGE, request, { replySchema, replyType: FORWARD_REPLY, timeoutMs: ms });
  }

  /**
   * Serves a forwarded request; a write carrying a requestId already served
   * from the same node within FORWARD_DEDUP_MS gets that outcome again (the
   * same reply, or the same error) instead of a second coordination, which
   * would stamp a second version of one client write (under vector clocks a
   * sibling the client's context never covers). At most
   * FORWARD_DEDUP_ENTRIES ids are remembered, oldest dropped first.
   */
  private serveForwardedOnce(from: NodeId, request: ForwardRequest) {
    if (request.op !== 'write' || request.requestId === undefined) return this.serveForwarded(request);
    const now = this.clock.now();
    for (const [id, entry] of this.servedForwards) {
      if (this.servedForwards.size < FORWARD_DEDUP_ENTRIES && Math.abs(now - entry.at) < FORWARD_DEDUP_MS) break;
      this.servedForwards.delete(id);
    }
    const id = `${from} ${request.requestId}`;
    const seen = this.servedForwards.get(id);
    if (seen !== undefined) {
      this.counters.duplicateForwards++;
      return seen.result;
    }
    const result = this.serveForwarded(request);
    this.servedForwards.set(id, { at: now, result });
    return result;
  }

  private async serveForwarded(request: ForwardRequest) {
    const options = forwardedOptions(request);
    if (request.op === 'get') {
      const r = replicasFor(options.consistency ?? this.config.replication.r, this.levels.n, 'read');
      const merged = await this.quorumRead(request.key, this.locate(request.key), r, options.timeoutMs);
      const siblings = liveValues(merged, this.clock.now());
      const payload = { found: siblings.length > 0, siblings: siblings.map(wireValue), context: this.resolver.context(merged) };
      return { type: FORWARD_REPLY, payload };
    }
    const result = await this.write(request.key, { value: request.value, ttlMs: request.ttlMs }, options, true);
    return { type: FORWARD_REPLY, payload: { context: result.context, acks: result.acks } };
  }

  private callOptions(timeoutMs: number | undefined): { readonly timeoutMs?: number } {
    return timeoutMs === undefined ? NO_CALL_OPTIONS : { timeoutMs };
  }
}

/** The reason a replica of the placement that the Rebalancer's read route leaves out is reported with in `missing`. */
export const NOT_HOLDER_REASON = 'not asked: not known to hold the partition yet (rebalance: streaming it in, or its claim not heard yet)';

/** The placement's replicas of `at`'s partition that its read route leaves out, each reported with NOT_HOLDER_REASON. */
function notHolders(at: Location, n: number): Missing[] {
  return at.placement
    .preferenceList(at.partition, n)
    .filter((node) => !at.prefs.includes(node))
    .map((node) => ({ node, reason: NOT_HOLDER_REASON }));
}

/** split's `down` when every primary is alive, and writeTargets' `hintFor` without sloppy quorum: shared, never written. */
const NONE_DOWN: readonly Missing[] = Object.freeze([]);
const NO_HINTS: ReadonlyMap<NodeId, NodeId> = new Map();

/** The replica call options of a request with no timeout of its own: one shared object, not one per request. */
const NO_CALL_OPTIONS: { readonly timeoutMs?: number } = Object.freeze({});

/**
 * A copy of `value` the caller cannot change later (the replicas' listeners
 * and a hint may keep the sibling): one memcpy into Node's pooled allocation,
 * neither Uint8Array.from's walk over the elements nor an ArrayBuffer of its
 * own per value (off-heap memory the GC tracks one by one).
 */
function ownCopy(value: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(value.length);
  out.set(value);
  return out;
}

/** `live` with `self` moved to the front when it is there (a local read costs no message); the others keep their order. */
function selfFirst(live: readonly NodeId[], self: NodeId): readonly NodeId[] {
  const at = live.indexOf(self);
  return at <= 0 ? live : [self, ...live.slice(0, at), ...live.slice(at + 1)];
}
