import {
  DynamisError,
  parsePeerAddresses,
  type Clock,
  type DynamisConfig,
  type FileSystem,
  type Logger,
  type Member,
  type Membership,
  type MembershipEvents,
  type MessageRouter,
  type NodeId,
  type PeerRpc,
  type Random,
  type Timer,
  type Unsubscribe,
} from '@dynamis/core';
import { z } from 'zod';
import { GossipState, pickRandom } from './GossipState';
import type { GossipStats } from './GossipStats';
import { Exchanges } from './Exchanges';
import { loadJoinedAt } from './joinedAtFile';
import { PROBE, SYNC, type GossipEntry } from './messages';
import type { GossipOptions } from './options';
import { Verifier } from './Verifier';

const OWNER = '@dynamis/gossip';
const anything = z.unknown();
const LIVE = new Set(['alive', 'suspect', 'leaving']);

/**
 * SWIM-style gossip Membership (README "How it works"): this node's view is
 * spread by push-pull `gossip.sync` exchanges — every gossipIntervalMs with
 * `fanout` random live members (when there are updates), every probe, and
 * every syncIntervalMs a full-state exchange with one random member, down
 * ones included. Every probeIntervalMs one member is probed (direct, then
 * through k helpers); a member that fails both is suspected, and declared
 * down after the suspicion period unless it refutes with a higher
 * incarnation. Seeds (config `seeds`, `id@host:port`) are published as
 * 'joining' until a real entry replaces them; start() contacts them every
 * joinRetryMs until one answers. Messages are schema-checked and bounded;
 * refusals are counted in stats() and answered PROTOCOL_ERROR, never fatal.
 * This node's joinedAt (its first start's wall clock) is kept in
 * `${dataDir}/gossip/joined-at` and gossiped with its entry; leave() stamps
 * leftAt. Proof before placement (README): a member learned from a third
 * party is published 'joining' (dialled, not placed) until it answers this
 * node directly (the Verifier probes it at once, verifyConcurrency at a time)
 * and forgotten after verifyTimeoutMs if it never does; a third party's
 * 'left' about a verified member is checked with the member first; received
 * weights are clamped to maxAcceptedWeight. Construction throws
 * INVALID_CONFIG naming a bad `seeds` entry.
 */
export class GossipMembership implements Membership {
  readonly self: NodeId;
  private readonly state: GossipState;
  private readonly x: Exchanges;
  private readonly verifier: Verifier;
  /** Seeds from config: id → address. */
  private readonly seeds = new Map<string, string>();
  private readonly heardAt = new Map<string, number>();
  private probeOrder: string[] = [];
  private timers: Timer[] = [];
  private generation = 0;
  private running = false;
  private joined = false;
  /** Where this node's joinedAt is kept. */
  private readonly dir: string;

  constructor(
    config: DynamisConfig,
    private readonly options: GossipOptions,
    private readonly rpc: PeerRpc,
    private readonly router: MessageRouter,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly logger: Logger,
    private readonly fs: FileSystem,
  ) {
    this.self = config.nodeId;
    this.dir = `${config.dataDir}/gossip`;
    const listed = parsePeerAddresses(config.seeds, 'seeds');
    const mine = listed.find((p) => p.id === this.self)?.address;
    const self: GossipEntry = {
      id: this.self,
      address: options.advertise ?? mine ?? `${config.listen.host}:${config.listen.port}`,
      status: 'alive',
      incarnation: Math.max(0, Math.floor(clock.now())),
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      weight: options.weight,
    };
    this.state = new GossipState(self, options, clock, random, logger);
    this.x = new Exchanges(this.self, this.state, rpc, options, () => this.generation);
    const limits = { timeoutMs: options.verifyTimeoutMs, retryMs: options.probeIntervalMs, concurrency: options.verifyConcurrency };
    this.verifier = new Verifier(clock, limits, {
      verify: (id) => this.x.sync(id, false, options.probeTimeoutMs, true),
      expire: (id) => this.state.expireUnverified(id),
      confirm: (id) => this.confirmDeparture(id),
    });
    this.state.useProofs(this.verifier);
    for (const p of listed) if (p.id !== this.self) this.addSeed(p.id, p.address, true);
  }

  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    return this.state.publisher.on(event, listener);
  }

  /** Every member as this node publishes it, self included; seeds never heard from are 'joining'. */
  members(): Member[] {
    return this.state.publisher.members();
  }

  member(id: NodeId): Member | undefined {
    return this.state.publisher.member(id);
  }

  /** Self: started and not left. Others: published up or leaving. Unknown ids: false. */
  isAlive(id: NodeId): boolean {
    if (id === this.self) return this.running && this.state.view.self.status !== 'left';
    const s = this.member(id)?.status;
    return s === 'up' || s === 'leaving';
  }

  /** Counters: drops by reason, refutations, failed probes. */
  stats(): GossipStats {
    return this.state.stats.snapshot();
  }

  /** The raw gossip entry held for `id` (status alive/suspect/dead/leaving/left and incarnation), for tests and status pages. */
  entry(id: NodeId): GossipEntry | undefined {
    return this.state.view.get(id);
  }

  /** SWIM suspicion as a level: 0 alive, 0.5 suspected (SWIM has no finer level), Infinity down or left, undefined unknown. */
  suspicionOf(id: NodeId): number | undefined {
    const e = this.state.view.get(id);
    if (e === undefined) return undefined;
    if (e.status === 'dead' || e.status === 'left') return Infinity;
    return e.status === 'suspect' ? 0.5 : 0;
  }

  /** Evidence from elsewhere that `peer` answered at monotonic time `now`: its next probe is skipped if within a probe period. */
  heard(peer: NodeId, now: number): void {
    if (this.state.view.get(peer) !== undefined) this.heardAt.set(peer, now);
  }

  /** Stops tracking a down or left member (returns false for live ones, which gossip would bring back at once). */
  forget(peer: NodeId): boolean {
    const e = this.state.view.get(peer);
    if (e === undefined || LIVE.has(e.status) || peer === this.self) return false;
    this.state.forget(peer);
    this.heardAt.delete(peer);
    return true;
  }

  /**
   * Contacts `seeds` (`id@host:port`; INVALID_CONFIG for a malformed one) with
   * a full-state exchange each; resolves once one answered. Seeds not yet
   * known are published as 'joining' first (`joined` fires, so the kernel
   * tells the Transport their address). UNAVAILABLE if none answered or the
   * node is not started.
   */
  async join(seeds: readonly string[]): Promise<void> {
    const parsed = parsePeerAddresses(seeds, 'join seeds').filter((p) => p.id !== this.self);
    if (!this.running) throw new DynamisError('UNAVAILABLE', `membership of ${this.self} is not started; cannot join`);
    for (const p of parsed) if (this.member(p.id) === undefined) this.addSeed(p.id, p.address, false);
    if (parsed.length === 0) return;
    const answered = await Promise.all(parsed.map((p) => this.x.sync(p.id, true, 2 * this.options.probeTimeoutMs)));
    if (!answered.includes(true)) {
      throw new DynamisError('UNAVAILABLE', `no seed answered: ${parsed.map((p) => p.id).join(', ')}`, {
        details: { seeds: parsed.map((p) => `${p.id}@${p.address}`) },
      });
    }
    this.joined = true;
  }

  /**
   * Graceful leave: gossips 'leaving' (incarnation + 1) for leaveAnnounceMs,
   * then 'left' (+ 1 again) with leftAt = max(wall clock, the latest joinedAt
   * or leftAt in the view + 1), so the leave sorts after every event this
   * node knows and the ring moves only its partitions; pushed to `fanout`
   * members directly; then stops probing and gossiping (it still answers, as
   * 'left'). Resolves once 'left' was pushed. A second call resolves at once;
   * UNAVAILABLE if not started.
   */
  async leave(): Promise<void> {
    if (!this.running) throw new DynamisError('UNAVAILABLE', `membership of ${this.self} is not started; cannot leave`);
    if (this.state.view.self.status !== 'alive') return;
    this.state.announceSelf('leaving');
    if (this.options.leaveAnnounceMs > 0) await this.clock.sleep(this.options.leaveAnnounceMs);
    this.state.announceSelf('left', Math.max(Math.floor(this.clock.now()), this.state.view.latestEventTime() + 1));
    for (const t of this.timers) t.cancel();
    this.timers = [];
    const peers = pickRandom(this.liveOthers(), this.options.fanout, this.random);
    await Promise.all(peers.map((p) => this.x.sync(p, false, 2 * this.options.probeTimeoutMs)));
  }

  /**
   * Loads (or, on this node's first start, stores) its joinedAt, registers
   * gossip.sync and gossip.probe, then runs the rounds. Rejects with
   * INVALID_ARGUMENT if another owner registered them, or as loadJoinedAt
   * (CORRUPTION, INCOMPATIBLE_DATA, IO_ERROR). Idempotent.
   */
  async start(): Promise<void> {
    if (this.running) return;
    if (this.state.view.self.joinedAt === undefined) {
      this.state.stampJoinedAt(await loadJoinedAt(this.fs, this.dir, this.self, this.clock.now()));
    }
    this.router.register(SYNC, anything, this.x.onSync, OWNER);
    this.router.register(PROBE, anything, this.x.onProbe, OWNER);
    this.running = true;
    this.joined = this.seeds.size === 0;
    const o = this.options;
    this.every(o.gossipIntervalMs, () => this.gossipRound());
    this.every(o.probeIntervalMs, () => this.probeRound());
    this.every(o.syncIntervalMs, () => this.syncRound());
    if (!this.joined) this.every(o.joinRetryMs, () => this.joinRound(), 0);
  }

  /** Stops every round and timer, drops in-flight results, unregisters the message types. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.verifier.stop();
    this.state.stop();
    this.router.unregister(SYNC);
    this.router.unregister(PROBE);
  }

  /** A configured seed: trusted (placed once its entry arrives, without a probe), published 'joining' until then. */
  private addSeed(id: string, address: string, silent: boolean): void {
    this.seeds.set(id, address);
    this.state.trust(id);
    this.state.publisher.update(id, { id, address, status: 'joining' }, silent);
  }

  /** Runs `fn` every `ms` (first after `first`) until stop or leave. */
  private every(ms: number, fn: () => void, first = ms): void {
    const slot = this.timers.length;
    const arm = (delay: number): void => {
      this.timers[slot] = this.clock.setTimer(delay, () => {
        if (!this.running || this.timers.length === 0) return;
        arm(ms);
        fn();
      });
    };
    arm(first);
  }

  /** Verified members (not self) that are alive, suspect or leaving: the ones gossip and SWIM probes talk to. */
  private liveOthers(): string[] {
    return this.state.view
      .all()
      .filter((e) => e.id !== this.self && LIVE.has(e.status) && this.state.isVerified(e.id))
      .map((e) => e.id);
  }

  private gossipRound(): void {
    if (this.state.broadcasts.size === 0) return;
    for (const peer of pickRandom(this.liveOthers(), this.options.fanout, this.random)) void this.x.sync(peer, false);
  }

  private syncRound(): void {
    const candidates = this.state.view
      .all()
      .filter((e) => e.id !== this.self && e.status !== 'left' && this.state.isVerified(e.id))
      .map((e) => e.id);
    for (const id of this.seeds.keys()) if (this.state.view.get(id) === undefined) candidates.push(id);
    const [peer] = pickRandom(candidates, 1, this.random);
    if (peer !== undefined) void this.x.sync(peer, true, 2 * this.options.probeTimeoutMs);
  }

  private joinRound(): void {
    if (this.joined) return;
    const generation = this.generation;
    void Promise.all([...this.seeds.keys()].map((id) => this.x.sync(id, true, 2 * this.options.probeTimeoutMs))).then((ok) => {
      if (generation !== this.generation || !ok.includes(true) || this.joined) return;
      this.joined = true;
      this.logger.info('joined the cluster', { members: this.state.view.size });
    });
  }

  private probeRound(): void {
    let target: GossipEntry | undefined;
    while (target === undefined) {
      if (this.probeOrder.length === 0) this.probeOrder = pickRandom(this.liveOthers(), Infinity, this.random);
      const id = this.probeOrder.shift();
      if (id === undefined) return;
      const e = this.state.view.get(id);
      if (e !== undefined && LIVE.has(e.status)) target = e;
    }
    const heard = this.heardAt.get(target.id);
    if (heard !== undefined && this.clock.monotonic() - heard < this.options.probeIntervalMs) return;
    void this.probe(target);
  }

  private async probe(target: GossipEntry): Promise<void> {
    const generation = this.generation;
    if (await this.x.sync(target.id, false)) return;
    const helpers = pickRandom(
      this.liveOthers().filter((id) => id !== target.id),
      this.options.indirectProbes,
      this.random,
    );
    const results = await Promise.all(helpers.map((h) => this.x.indirect(h, target.id)));
    if (generation !== this.generation || results.includes(true)) return;
    this.state.stats.failedProbes++;
    this.state.accuse(target.id, target.incarnation, 'suspect');
  }

  /**
   * A third party says `id` left: asks `id` itself (a full sync, whose reply
   * carries its own entry first-hand), then through k helpers if it did not
   * answer. Answered as not left: the claim is refuted; no answer: it is
   * taken (a node that left and stopped answers no one).
   */
  private async confirmDeparture(id: string): Promise<void> {
    const generation = this.generation;
    let answered = await this.x.sync(id, true, 2 * this.options.probeTimeoutMs);
    if (!answered) {
      const helpers = pickRandom(
        this.liveOthers().filter((h) => h !== id),
        this.options.indirectProbes,
        this.random,
      );
      answered = (await Promise.all(helpers.map((h) => this.x.indirect(h, id)))).includes(true);
    }
    if (generation === this.generation) this.state.resolveDeparture(id, answered);
  }
}
