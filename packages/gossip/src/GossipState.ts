import type { Clock, Logger, Member, Random, Timer } from '@dynamis/core';
import { Broadcasts } from './Broadcasts';
import { logN } from './bounds';
import { leftMembersBound, type GossipOptions } from './options';
import type { GossipEntry } from './messages';
import { Publisher, toMember } from './Publisher';
import { StatsCounters } from './GossipStats';
import { View, type MergeResult } from './View';

/** Where the state asks for proofs (the Verifier): track a member learned second-hand, settle it, check a `left` claim. */
export interface Proofs {
  track(id: string): void;
  settle(id: string): void;
  departure(id: string): void;
}

/** Up to `k` distinct elements of `items`, uniformly at random. */
export function pickRandom<T>(items: readonly T[], k: number, random: Random): T[] {
  const copy = [...items];
  const count = Math.min(k, copy.length);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

/**
 * One node's gossip state and the rules that change it: the View, the
 * piggyback queue, suspicion timers, the published members and the counters.
 * Every accepted change is published; a suspect that does not refute within
 * suspicionTimeoutMs() becomes dead.
 *
 * Proof before placement (README): a member not `left` is *verified* once
 * this node heard from it directly (`markVerified`: it answered a probe, or
 * sent a message, the transport authenticating its id) or trusted it (a
 * configured seed). Until then it is held, tracked by the Proofs (probed,
 * forgotten when it never answers: `expireUnverified`), published as
 * `joining` (not placed) and not relayed; only verified members' changes and
 * `left` entries are queued for dissemination and sent in full syncs. A
 * third-party `left` claim about a verified member that has not left is held
 * (one per member) until `resolveDeparture` says whether the member answered.
 * Received weights above maxAcceptedWeight are taken as it (counted).
 */
export class GossipState {
  readonly view: View;
  readonly broadcasts = new Broadcasts();
  readonly publisher: Publisher;
  readonly stats = new StatsCounters();
  private readonly suspicions = new Map<string, Timer>();
  private readonly verified = new Set<string>();
  /** Configured seeds: trusted for good, and their address is never forgotten (the node contacts them by id). */
  private readonly seeds = new Set<string>();
  /** Third-party `left` claims held until the member's answer (or silence) settles them, by member. */
  private readonly claims = new Map<string, GossipEntry>();
  private proofs: Proofs = { track: () => undefined, settle: () => undefined, departure: () => undefined };

  constructor(
    self: GossipEntry,
    private readonly options: GossipOptions,
    private readonly clock: Clock,
    private readonly random: Random,
    logger: Logger,
  ) {
    this.view = new View(self, { ...options, maxLeftMembers: leftMembersBound(options) });
    this.publisher = new Publisher(clock, logger, options.minTransitionMs, (id) => {
      const e = this.view.get(id);
      return e === undefined ? undefined : this.published(e);
    });
    this.publisher.update(self.id, toMember(self), true);
    this.broadcasts.enqueue(self);
  }

  /** Suspicion period now: suspicionMultiplier × ⌈log2(n+1)⌉ × gossipIntervalMs. */
  suspicionTimeoutMs(): number {
    return this.options.suspicionMultiplier * logN(this.view.activeCount()) * this.options.gossipIntervalMs;
  }

  /** Times each update is piggybacked by this node: retransmitMultiplier × ⌈log2(n+1)⌉. */
  retransmitLimit(): number {
    return this.options.retransmitMultiplier * logN(this.view.activeCount());
  }

  /** Installs where proofs are asked for (before any merge). */
  useProofs(proofs: Proofs): void {
    this.proofs = proofs;
  }

  /** Self, a trusted member (a configured seed), or one this node heard from directly. */
  isVerified(id: string): boolean {
    return id === this.view.self.id || this.verified.has(id);
  }

  /** Trusts `id` without a probe, for good (a seed the operator configured). */
  trust(id: string): void {
    this.verified.add(id);
    this.seeds.add(id);
  }

  /**
   * Merges received entries (already schema-checked); `fromSync` for a full
   * state exchange; `source`: the sender, when the transport authenticated it
   * (what it says about itself is first-hand).
   */
  mergeAll(entries: readonly GossipEntry[], fromSync: boolean, source?: string): void {
    const now = this.clock.now();
    for (const received of entries) {
      const e = this.clampWeight(received);
      if (!this.holdDeparture(e, source, now)) this.handle(this.view.merge(e, now, fromSync));
    }
  }

  /** This node heard from `id` directly: a held member becomes verified, published as it is and relayed. */
  markVerified(id: string): void {
    if (this.isVerified(id)) return;
    const e = this.view.get(id);
    if (e === undefined) return;
    this.verified.add(id);
    this.stats.verified++;
    this.proofs.settle(id);
    this.broadcasts.enqueue(e);
    this.publisher.update(id, this.published(e));
  }

  /** A member that never proved itself within verifyTimeoutMs: forgotten (`forgotten` event; it was never placed), counted. */
  expireUnverified(id: string): void {
    const e = this.view.get(id);
    if (e === undefined || this.isVerified(id) || e.status === 'left') return;
    this.stats.dropped.unverified++;
    this.forget(id);
  }

  /**
   * Settles the held `left` claim about `id` after a probe: `answered` (the
   * member answered, directly or through a helper, and did not say it left)
   * refutes it (counted `departure-refuted`); else it is merged.
   */
  resolveDeparture(id: string, answered: boolean): void {
    const claim = this.claims.get(id);
    this.claims.delete(id);
    if (claim === undefined || this.view.get(id)?.status === 'left') return;
    if (answered) this.stats.dropped['departure-refuted']++;
    else this.handle(this.view.merge(claim, this.clock.now(), false));
  }

  /** This node's own accusation against `id` held at `incarnation`. */
  accuse(id: string, incarnation: number, status: 'suspect' | 'dead'): void {
    this.handle(this.view.accuse(id, incarnation, status));
  }

  /** Changes this node's own status with an incarnation bump (leave; `leftAt` on 'left'), queued and published. */
  announceSelf(status: 'alive' | 'leaving' | 'left', leftAt?: number): GossipEntry {
    const { entry, evicted } = this.view.bumpSelf(status, leftAt);
    this.broadcasts.enqueue(entry);
    if (evicted !== undefined) this.dropEvicted(evicted);
    this.publisher.update(entry.id, toMember(entry));
    return entry;
  }

  /** Sets this node's joinedAt before its entry was ever gossiped (start), queued and published silently. */
  stampJoinedAt(joinedAt: number): void {
    const entry = this.view.stampJoinedAt(joinedAt);
    this.broadcasts.enqueue(entry);
    this.publisher.update(entry.id, toMember(entry), true);
  }

  /** Removes a member from view, queue, proofs and published members (`forgotten` event, none for a seed). */
  forget(id: string): void {
    if (!this.view.remove(id)) return;
    this.broadcasts.remove(id);
    this.dropEvicted(id);
  }

  /**
   * Updates for one message to `to`: the queue's (but those in `received`,
   * what `to` just sent), plus what this node holds against `to` (so it can refute).
   */
  piggyback(to: string, received?: readonly GossipEntry[]): GossipEntry[] {
    const known = received === undefined ? undefined : new Map(received.map((e) => [e.id, e]));
    const out = this.broadcasts.take(this.options.maxPiggyback - 1, this.retransmitLimit(), known);
    const about = this.view.get(to);
    if (about !== undefined && (about.status === 'suspect' || about.status === 'dead') && !out.some((e) => e.id === to)) out.push(about);
    return out;
  }

  /**
   * The view for a full sync: self and `to`'s entry first, then the rest, at
   * most maxEntriesPerMessage (a random subset beyond). In a reply,
   * `received` (the requester's view) leaves out what the requester already holds.
   */
  fullView(to: string, received?: readonly GossipEntry[]): GossipEntry[] {
    const held = new Map((received ?? []).map((e) => [e.id, e]));
    const selfId = this.view.self.id;
    const about = this.view.get(to);
    const first = [this.view.self, ...(about === undefined ? [] : [about])];
    const rest = this.view.all().filter((e) => {
      if (e.id === to || e.id === selfId || !this.relayed(e)) return false;
      const h = held.get(e.id);
      return h === undefined || h.incarnation !== e.incarnation || h.status !== e.status;
    });
    return [...first, ...pickRandom(rest, this.options.maxEntriesPerMessage - first.length, this.random)];
  }

  /** Cancels every suspicion and damping timer and drops held claims (on stop). */
  stop(): void {
    for (const t of this.suspicions.values()) t.cancel();
    this.suspicions.clear();
    this.claims.clear();
    this.publisher.stop();
  }

  private handle(result: MergeResult): void {
    if (result.kind === 'refute') return this.refute();
    if (result.kind === 'drop') {
      this.stats.dropped[result.reason]++;
      if (result.refute) this.refute();
      return;
    }
    if (result.kind === 'stale') return;
    const after = result.after;
    if (this.relayed(after)) this.broadcasts.enqueue(after);
    if (this.isVerified(after.id) || after.status === 'left') this.proofs.settle(after.id);
    else this.proofs.track(after.id);
    // The forgotten left member goes before the event fires, so listeners (the ring) never see it again.
    if (result.evicted === after.id) {
      this.cancelSuspicion(after.id);
      if (!this.seeds.has(after.id)) this.verified.delete(after.id);
      this.claims.delete(after.id);
      return this.publisher.dropLeft(after.id, toMember(after));
    }
    if (result.evicted !== undefined) this.dropEvicted(result.evicted);
    if (after.status === 'suspect') this.startSuspicion(after);
    else this.cancelSuspicion(after.id);
    this.publisher.update(after.id, this.published(after));
  }

  /** The port's view of `e`: a member not left and not verified is `joining` and `unverified` (known, not placed). */
  private published(e: GossipEntry): Member {
    const m = toMember(e);
    return e.status === 'left' || this.isVerified(e.id) ? m : { ...m, status: 'joining', unverified: true };
  }

  /** Whether this node spreads `e`: verified members' entries, and every `left` one (the ring's history). */
  private relayed(e: GossipEntry): boolean {
    return e.status === 'left' || this.isVerified(e.id);
  }

  /** A received entry with its weight taken down to maxAcceptedWeight (counted when it was above). */
  private clampWeight(e: GossipEntry): GossipEntry {
    const max = this.options.maxAcceptedWeight;
    if (e.weight === undefined || e.weight <= max || e.id === this.view.self.id) return e;
    this.stats.clampedWeights++;
    return { ...e, weight: max };
  }

  /**
   * Holds a third-party `left` claim (not from the member itself) about a
   * verified member this node holds not left, if the view would take it:
   * the member is probed first (Proofs.departure). True when held.
   */
  private holdDeparture(e: GossipEntry, source: string | undefined, now: number): boolean {
    if (e.status !== 'left' || e.id === source || e.id === this.view.self.id || !this.verified.has(e.id)) return false;
    const cur = this.view.get(e.id);
    if (cur === undefined || cur.status === 'left' || e.incarnation < cur.incarnation || this.view.aheadOf(e, now) !== undefined)
      return false;
    const held = this.claims.get(e.id);
    if (held === undefined || e.incarnation > held.incarnation) this.claims.set(e.id, e);
    this.proofs.departure(e.id);
    return true;
  }

  /**
   * A member no longer held (forgotten, or a left member the view dropped to
   * keep maxLeftMembers): unpublished with a `forgotten` event (so the
   * Transport forgets its address), except a seed, which stays trusted and dialled.
   */
  private dropEvicted(id: string): void {
    const seed = this.seeds.has(id);
    this.cancelSuspicion(id);
    if (!seed) this.verified.delete(id);
    this.claims.delete(id);
    this.proofs.settle(id);
    this.publisher.update(id, undefined, seed);
  }

  private refute(): void {
    const self = this.view.self;
    if (self.status === 'left') return;
    this.stats.refutations++;
    const { entry } = this.view.bumpSelf(self.status === 'leaving' ? 'leaving' : 'alive');
    this.broadcasts.enqueue(entry);
  }

  private startSuspicion(entry: GossipEntry): void {
    this.cancelSuspicion(entry.id);
    const timer = this.clock.setTimer(this.suspicionTimeoutMs(), () => {
      if (this.suspicions.get(entry.id) !== timer) return;
      this.suspicions.delete(entry.id);
      this.accuse(entry.id, entry.incarnation, 'dead');
    });
    this.suspicions.set(entry.id, timer);
  }

  private cancelSuspicion(id: string): void {
    this.suspicions.get(id)?.cancel();
    this.suspicions.delete(id);
  }
}
