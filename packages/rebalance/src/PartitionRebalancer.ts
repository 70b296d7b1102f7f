import {
  isDynamisError,
  parseWithSchema,
  partitionRange,
  type Clock,
  type DynamisConfig,
  type FileSystem,
  type Lifecycle,
  type Logger,
  type Membership,
  type MessageRouter,
  type NodeId,
  type PartitionId,
  type Partitioner,
  type PartitionRoute,
  type PeerRpc,
  type Placement,
  type RebalanceProgress,
  type Rebalancer,
  type Replica,
  type StorageEngine,
  type Timer,
  type Unsubscribe,
} from '@dynamis/core';
import { Announcer } from './Announcer';
import { Holdings } from './Holdings';
import { isStorableHash, loadHoldings, saveHoldings } from './holdingsFile';
import { rebalanceOptionsSchema, type RebalanceOptions, type RebalanceOptionsInput } from './options';
import { PullService } from './PullService';
import { routeFor } from './routeFor';
import { StreamScheduler } from './StreamScheduler';

/** Collaborators of PartitionRebalancer (the plugin takes them from the container). */
export interface PartitionRebalancerDeps {
  readonly config: DynamisConfig;
  readonly replica: Replica;
  readonly engine: StorageEngine;
  readonly rpc: PeerRpc;
  readonly router: MessageRouter;
  readonly partitioner: Partitioner;
  readonly membership: Membership;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fs: FileSystem;
}

/**
 * The Rebalancer port (README: protocol, guarantees, limits). Each node
 * tracks which nodes hold which partitions completely (Holdings, from
 * announcements); routes by routeFor; streams in the partitions it is a
 * replica of but does not hold (StreamScheduler) once every member routes
 * by its placement and `drainMs` passed; announces its view on every change
 * and every `announceIntervalMs` (Announcer); and drops a partition it no
 * longer replicates once every member of the placement announced it is
 * settled. Options are validated on construction (INVALID_CONFIG naming
 * the key).
 */
export class PartitionRebalancer implements Rebalancer, Lifecycle {
  readonly options: RebalanceOptions;
  readonly holdings: Holdings;
  private readonly service: PullService;
  private readonly announcer: Announcer;
  private readonly streams: StreamScheduler;
  private readonly log: Logger;
  private placement: Placement | undefined;
  private initialised = false;
  private hadData = false;
  private settled = false;
  private dropped = 0;
  /** The placement whose non-replicated partition ranges this node has swept (drop). */
  private sweptFor: string | undefined;
  private running = false;
  private timer: Timer | undefined;
  private soon: Timer | undefined;
  private unsubscribe: Unsubscribe[] = [];
  private ticking = false;
  private tickAgain = false;
  private agreedSince: number | undefined;
  /** The partitions some node was known to hold when the current agreement began (agreedFor; used by initialise). */
  private heldAtAgreement: ReadonlySet<PartitionId> | undefined;
  /**
   * The partitions this node claimed under placement `hash` because no node
   * held them (a fresh cluster): every replica of them there has been sent
   * every write and claims them too when it initialises, so route() counts
   * the replicas that have not announced any holding yet as holders (see route).
   */
  private fresh: { readonly hash: string; readonly partitions: Set<PartitionId> } | undefined;
  /** The hash of the current placement once every node of it announced it is settled there. */
  private allSettled: string | undefined;
  /**
   * The hash of the placement at which this node last saw every node settled
   * (allSettled), kept in the holdings file, and cleared — durably — before
   * this node may say it is settled under another placement, or adopts one
   * it is not part of (forgetSettledUnless). So while it is set, this node
   * has sent no "settled" view under another placement since it saw all
   * settled there: route() then presumes that peers it has not heard from
   * yet still hold what they replicate there (README, "Start").
   */
  private lastSettled: string | undefined;
  /** `${dataDir}/rebalance`: the holdings file (holdingsFile.ts). */
  private readonly dir: string;
  /** The holdings last made durable (a bitmap key), and the chain of saves (one at a time, in order). */
  private saved = '';
  /** The settled hash in the holdings file (as of the last save or load). */
  private savedSettled: string | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: PartitionRebalancerDeps,
    options: RebalanceOptionsInput = {},
  ) {
    this.options = parseWithSchema(rebalanceOptionsSchema, options, 'options of @dynamis/rebalance');
    this.log = deps.logger.child({ plugin: '@dynamis/rebalance' });
    this.holdings = new Holdings(deps.config.nodeId, deps.partitioner.placement().partitionCount);
    this.dir = `${deps.config.dataDir}/rebalance`;
    const timeoutMs = this.options.pageTimeoutMs ?? deps.config.timeouts.requestMs;
    this.service = new PullService({
      holdings: this.holdings,
      replica: deps.replica,
      router: deps.router,
      view: () => this.view(),
      learned: () => this.tickSoon(),
      isMember: (id) => deps.membership.member(id) !== undefined,
    });
    this.announcer = new Announcer(
      deps.rpc,
      this.holdings,
      timeoutMs,
      this.log,
      () => this.view(),
      () => this.tickSoon(),
    );
    this.streams = new StreamScheduler({
      rpc: deps.rpc,
      replica: deps.replica,
      holdings: this.holdings,
      clock: deps.clock,
      log: this.log,
      options: this.options,
      timeoutMs,
      maxKeys: Math.min(this.options.maxKeysPerPage, deps.config.limits.maxBatchOps),
      changed: () => {
        this.announce();
        this.tickSoon();
      },
    });
  }

  /**
   * Loads the holdings this node made durable before (README, "Start"),
   * notes whether the replica has data, serves peers, then plans on every
   * membership event and period. Rejects as loadHoldings (CORRUPTION,
   * INCOMPATIBLE_DATA, IO_ERROR) before serving anything.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const { fs, config } = this.deps;
    const stored = loadHoldings(fs, this.dir, config.nodeId, this.holdings.partitionCount);
    try {
      for await (const _ of this.deps.replica.scan()) {
        this.hadData = true;
        break;
      }
    } catch (err) {
      // A damaged table found by this very scan: the engine quarantined it and the Replica stopped serving the
      // partitions it met (they are rebuilt below, like any it does not hold). There is data.
      if (!isDynamisError(err, 'CORRUPTION')) throw err;
      this.hadData = true;
    }
    if (stored !== undefined) {
      // The holdings file replaces the start rule: the node holds exactly what it held completely before it
      // stopped — unless its engine kept no data at all (an in-memory engine, a wiped dir): then nothing.
      this.initialised = true;
      this.lastSettled = stored.settledHash;
      if (this.hadData)
        for (const p of stored.own)
          if (!this.deps.replica.unservedPartitions().has(p)) this.holdings.own.add(p);
          else if (stored.own.size > 0) this.log.warn('holdings file ignored: the engine has no data', { partitions: stored.own.size });
      this.saved = this.savedKey();
      this.savedSettled = this.lastSettled;
    }
    this.running = true;
    this.unsubscribe.push(this.deps.replica.onDamaged((partitions) => this.damaged(partitions)));
    this.service.start();
    for (const event of ['up', 'down', 'joined', 'left'] as const)
      this.unsubscribe.push(
        this.deps.membership.on(event, () => {
          this.announce(); // a member that came back (or is new) learns this node's view now, not at the next period
          this.tickSoon();
        }),
      );
    this.schedule();
    this.tickSoon();
  }

  /**
   * Partitions whose local data was found damaged (Replica.onDamaged): this
   * node no longer holds them — it stops counting itself as a holder, makes
   * that durable and tells every member, so no route reads them here — and
   * the scheduler streams them back in from a holder like any partition it
   * replicates but does not hold (after the Replica deleted the damaged
   * range); once received, the Replica serves them again.
   */
  private damaged(partitions: readonly PartitionId[]): void {
    let changed = false;
    for (const p of partitions) changed = this.holdings.own.delete(p) || changed;
    if (!changed) return;
    this.log.warn('damaged partitions no longer held: streaming them back in', { partitions: partitions.length });
    this.announce();
    this.tickSoon();
  }

  /** Stops planning, serving and announcing; streams in flight end at their next page (their pages stay applied). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const off of this.unsubscribe.splice(0)) off();
    this.timer?.cancel();
    this.soon?.cancel();
    this.streams.cancelAll();
    this.service.stop();
  }

  /**
   * routeFor over this node's holdings — except once every node of the
   * placement announced it is settled there: then nobody reads an old holder
   * any more, so the placement's route (an old holder that has not dropped
   * yet, or stopped before it could, no longer costs writes an extra ack).
   *
   * After a restart, under the placement this node last saw settled
   * (`lastSettled`), a replica it has heard no view from yet counts as a
   * holder (never self: its own holdings are authoritative; a peer that
   * announced is judged by what it announced). Safe because a node drops a
   * partition only once every node of a placement announced it is settled
   * there, and this node's file names `lastSettled` only while it has sent no
   * "settled" view under another placement (nor adopted one without itself)
   * since it saw every node settled there: each node of that placement held
   * all it replicates there then, and none can have dropped any of it since
   * (a drop under that very placement is of a partition the node does not
   * replicate there).
   *
   * A partition this node claimed because no node held it (`fresh`, a fresh
   * cluster) also counts each other replica whose latest view holds nothing
   * as a holder: one that has not initialised yet (self is judged by its own
   * holdings: a partition damaged here left them). It has been a replica there
   * all along, sent every write, and claims the partition when it
   * initialises (initialise); without this, from this node's claim until the
   * others' claims reached it, the partition had one holder here and every
   * read at R=2 through this node failed QUORUM_NOT_REACHED (the cluster
   * bench's burst of failed reads ~10 s after start).
   */
  route(placement: Placement, partition: PartitionId, n: number): PartitionRoute {
    const prefs = placement.preferenceList(partition, n);
    if (this.allSettled === placement.hash) return { read: prefs, write: prefs, extraAcks: 0 };
    const holders = this.holdings.holders(partition);
    if (this.lastSettled === placement.hash) {
      for (const id of prefs) if (id !== this.holdings.self && this.holdings.view(id) === undefined) holders.add(id);
    }
    if (this.fresh?.hash === placement.hash && this.fresh.partitions.has(partition)) {
      for (const id of prefs) if (id !== this.holdings.self && this.holdings.holdsNothing(id)) holders.add(id);
    }
    return routeFor(prefs, holders, n);
  }

  progress(): RebalanceProgress {
    const c = this.placement;
    const n = this.deps.config.replication.n;
    let toDrop = 0;
    if (c !== undefined) for (const p of this.holdings.own) if (!c.preferenceList(p, n).includes(this.holdings.self)) toDrop++;
    const p = this.streams.progress();
    const eta = etaSeconds(p);
    return {
      placementHash: c?.hash ?? '',
      ...p,
      toDrop,
      dropped: this.dropped,
      settled: this.settled,
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
    };
  }

  private view() {
    return this.holdings.ownView(this.placement?.hash ?? '', this.settled);
  }

  /** Makes the holdings durable if they changed, then tells every member (so no peer hears of a holding a crash could forget). */
  private announce(): void {
    if (!this.running) return;
    this.persist().then(
      () => {
        if (this.running) this.announcer.announce(this.others());
      },
      (err: unknown) => this.log.error('rebalance holdings not saved; not announced', { error: (err as Error).message }),
    );
  }

  /**
   * Saves the holdings and `lastSettled` if they differ from the last save (both as they are when the save runs);
   * saves run one at a time, in call order. Rejects with the save's IO_ERROR.
   */
  private persist(): Promise<void> {
    const next = this.saving.then(async () => {
      const key = this.savedKey();
      if (key === this.saved) return;
      const { self, partitionCount, own } = this.holdings;
      const settledHash = this.lastSettled;
      await saveHoldings(this.deps.fs, this.dir, self, partitionCount, own, settledHash);
      this.saved = key;
      this.savedSettled = settledHash;
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  /** What a save stores: the bitmap and the settled hash. */
  private savedKey(): string {
    return `${Buffer.from(this.holdings.ownView('', false).holds).toString('hex')} ${this.lastSettled ?? '-'}`;
  }

  /** Every member but self (any status: a leaving node still streams out and must hear). */
  private others(): NodeId[] {
    return this.deps.membership
      .members()
      .map((m) => m.id)
      .filter((id) => id !== this.holdings.self);
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimer(this.options.announceIntervalMs, () => {
      if (!this.running) return;
      this.announce();
      this.tick();
      this.logProgress();
      this.schedule();
    });
  }

  /** While partitions are pending or streaming: one info line with the counters and the ETA. */
  private logProgress(): void {
    const p = this.streams.progress();
    if (p.pending + p.streaming === 0) return;
    this.log.info('rebalance progress', { ...p, etaSeconds: etaSeconds(p) });
  }

  private tickSoon(): void {
    if (!this.running || this.soon !== undefined) return;
    this.soon = this.deps.clock.setTimer(0, () => {
      this.soon = undefined;
      this.tick();
    });
  }

  /** One planning step (see the class comment), one at a time (a tick asked for meanwhile runs after it); never throws (failures are logged and retried next tick). */
  private tick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.step()
      .catch((err: unknown) => this.log.warn('rebalance step failed', { error: (err as Error).message }))
      .finally(() => {
        this.ticking = false;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.tick();
        }
      });
  }

  private async step(): Promise<void> {
    const c = this.deps.partitioner.placement();
    if (c.nodes.length === 0) return;
    const n = this.deps.config.replication.n;
    let changed = false;
    if (this.placement?.hash !== c.hash) {
      // A placement without this node settles and drops without its say: forget the settled hash before adopting it.
      if (!c.nodes.includes(this.holdings.self)) await this.forgetSettledUnless(c.hash);
      this.placement = c;
      this.fresh = undefined;
      this.settled = false; // recomputed below: no view may say "settled" under c before that (view() reads both)
      this.agreedSince = undefined;
      this.streams.retarget(c, n);
      changed = true;
    }
    this.holdings.prune(new Set(this.others()));
    const agreed = this.agreed(c, false);
    if (!this.initialised && this.agreedFor(agreed, c) >= this.drainMs()) changed = this.initialise(c, n) || changed;
    // A partition no node holds (a fresh cluster: nothing to move) is held by its replicas from now on.
    if (agreed && this.initialised) changed = this.holdings.claim(c, n, true, undefined, this.freshFor(c)) || changed;
    for (const p of this.deps.replica.unservedPartitions()) this.holdings.own.delete(p); // damaged here: never claimed
    const settled = this.everyReplicaHolds(c, n);
    if (settled !== this.settled) {
      if (settled) await this.forgetSettledUnless(c.hash); // before any view says "settled" under c
      this.settled = settled;
      changed = true;
      if (settled) this.log.info('rebalance settled', { placement: c.hash, ...this.streams.progress() });
    }
    await this.releaseUnreplicated(c, n);
    this.streams.plan(c, n, agreed, this.drainMs());
    this.allSettled = settled && this.agreed(c, true) ? c.hash : undefined;
    if (this.allSettled !== undefined && this.lastSettled !== c.hash && isStorableHash(c.hash)) {
      this.lastSettled = c.hash; // saved by the announce below, or by drop's persist before it deletes anything
      changed = true;
    }
    if (this.allSettled !== undefined) changed = (await this.drop(c, n)) || changed;
    if (changed) this.announce();
  }

  /**
   * Clears `lastSettled` unless it is `hash`, and makes that durable before
   * resolving (README, "Start"): called before this node may send a view
   * that says it is settled under `hash` (only such a view can let the nodes
   * of `hash` drop partitions). Rejects with the save's IO_ERROR (the step
   * fails and is retried; nothing was announced meanwhile).
   */
  private async forgetSettledUnless(hash: string): Promise<void> {
    if (this.lastSettled !== hash) this.lastSettled = undefined;
    if (this.savedSettled !== undefined && this.savedSettled !== hash) await this.persist();
  }

  /**
   * Damaged partitions (Replica.unservedPartitions) that this node does not
   * replicate in `c` have nothing to stream back: once the damaged ranges
   * are deleted, their whole range is dropped (no route reads a copy here)
   * and the Replica serves them again (empty).
   */
  private async releaseUnreplicated(c: Placement, n: number): Promise<void> {
    const replica = this.deps.replica;
    const idle = [...replica.unservedPartitions()].filter((p) => !c.preferenceList(p, n).includes(this.holdings.self));
    if (idle.length === 0) return;
    await replica.damageCleanup();
    for (const p of idle) {
      if (this.holdings.own.has(p)) continue;
      const { gte, lt } = partitionRange(p);
      await this.deps.engine.deleteRange(gte, lt);
      await replica.served(p);
    }
  }

  /**
   * Whether every partition of `c` is held by each of its `n` replicas. Runs at every step (each announcement heard
   * and each change) over every partition: plain loops with no set or closure per partition (building
   * `holders(id)` per replica here was ~10% of the bytes a loaded node allocated).
   */
  private everyReplicaHolds(c: Placement, n: number): boolean {
    // Indexed loops: this runs on every tick, mostly unoptimised, where each for-of step allocates an iterator result.
    const partitions = c.partitions;
    for (let i = 0; i < partitions.length; i++) {
      const id = partitions[i]!.id;
      const prefs = c.preferenceList(id, n);
      for (let j = 0; j < prefs.length; j++) if (!this.holdings.holds(id, prefs[j]!)) return false;
    }
    return true;
  }

  /** Every node of `c` (self included) announced that it routes by `c` (and, with `settled`, that it is settled there). */
  private agreed(c: Placement, settled: boolean): boolean {
    return c.nodes.every((id) => {
      if (id === this.holdings.self) return !settled || this.settled;
      const v = this.holdings.view(id);
      return v !== undefined && v.hash === c.hash && (!settled || v.settled);
    });
  }

  private drainMs(): number {
    return this.options.drainMs ?? 2 * this.deps.config.timeouts.requestMs;
  }

  /**
   * How long every node has routed by the current placement without a break (-1 when they do not). When an
   * agreement begins, notes which partitions some node was then known to hold (see initialise).
   */
  private agreedFor(agreed: boolean, c: Placement): number {
    if (!agreed) {
      this.agreedSince = undefined;
      this.heldAtAgreement = undefined;
      return -1;
    }
    const now = this.deps.clock.monotonic();
    if (this.agreedSince === undefined) {
      this.agreedSince = now;
      this.heldAtAgreement = new Set(c.partitions.map((p) => p.id).filter((p) => this.holdings.heldByAny(p)));
    }
    return now - this.agreedSince;
  }

  /**
   * Once, when every node has routed by the same placement for `drainMs`
   * (so nodes booting together settle on one placement first): a node that
   * started with data holds the partitions it replicates there (a restart:
   * what it missed meanwhile comes back through hints and anti-entropy); a
   * node that started empty holds the partitions it replicates that no node
   * held when this agreement began (a fresh cluster: it has been a replica of
   * them, receiving their writes, as long as any node has) and streams in
   * the others. A claim heard since does not count: the node that got there
   * first knows no more than this one (without this rule, in a fresh cluster
   * whose nodes initialise at different times the first one's claims left
   * each partition one holder: reads at R=2 failed until the others streamed
   * in what they had been sent all along).
   */
  private initialise(c: Placement, n: number): boolean {
    this.initialised = true;
    if (this.hadData) return this.holdings.claim(c, n, false);
    return this.heldAtAgreement !== undefined && this.holdings.claim(c, n, false, this.heldAtAgreement, this.freshFor(c));
  }

  /** The set of this node's fresh claims under `c` (see `fresh`). */
  private freshFor(c: Placement): Set<PartitionId> {
    if (this.fresh?.hash !== c.hash) this.fresh = { hash: c.hash, partitions: new Set() };
    return this.fresh.partitions;
  }

  /**
   * Deletes the partitions this node holds but no longer replicates (every
   * member is settled on `c`), and once per placement sweeps the ranges of
   * every other partition it does not replicate: data there is a copy no
   * route reads (e.g. a write that reached this node while it was not a
   * holder), and every replica of `c` holds the partition in full.
   */
  private async drop(c: Placement, n: number): Promise<boolean> {
    let any = false;
    // The partitions to drop, found without copying `own` on every tick (forEach: no iterator results either).
    let doomed: PartitionId[] | undefined;
    this.holdings.own.forEach((p) => {
      if (!c.preferenceList(p, n).includes(this.holdings.self)) (doomed ??= []).push(p);
    });
    for (const p of doomed ?? []) {
      this.holdings.own.delete(p);
      await this.persist(); // before the data goes: a restart must never claim a partition it deleted
      const { gte, lt } = partitionRange(p);
      await this.deps.engine.deleteRange(gte, lt);
      this.dropped++;
      any = true;
      this.log.info('partition dropped', { partition: p, placement: c.hash });
    }
    if (this.sweptFor !== c.hash) {
      for (let i = 0; i < c.partitions.length; i++) {
        const id = c.partitions[i]!.id;
        if (c.preferenceList(id, n).includes(this.holdings.self) || this.holdings.own.has(id)) continue;
        const { gte, lt } = partitionRange(id);
        await this.deps.engine.deleteRange(gte, lt);
      }
      this.sweptFor = c.hash;
    }
    return any;
  }
}

/**
 * Seconds left to receive what is pending and streaming: (partitions left ×
 * mean bytes of a partition received so far) / bytes per second so far.
 * Undefined when nothing is left, or nothing was received yet to estimate from.
 */
export function etaSeconds(p: {
  pending: number;
  streaming: number;
  done: number;
  bytesMoved: number;
  bytesPerSecond: number;
}): number | undefined {
  const left = p.pending + p.streaming;
  if (left === 0 || p.done === 0 || p.bytesPerSecond <= 0) return undefined;
  return Math.round((left * (p.bytesMoved / p.done)) / p.bytesPerSecond);
}
