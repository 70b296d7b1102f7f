import type { Clock, Logger, Random, Timer } from '@dynamis/core';
import { Broadcasts } from './Broadcasts';
import { logN } from './bounds';
import { leftMembersBound, type GossipOptions } from './options';
import type { GossipEntry } from './messages';
import { Publisher, toMember } from './Publisher';
import { StatsCounters } from './GossipStats';
import { View, type MergeResult } from './View';

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
 * Every accepted change is queued for dissemination and published; a
 * suspect that does not refute within suspicionTimeoutMs() becomes dead.
 */
export class GossipState {
  readonly view: View;
  readonly broadcasts = new Broadcasts();
  readonly publisher: Publisher;
  readonly stats = new StatsCounters();
  private readonly suspicions = new Map<string, Timer>();

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
      return e === undefined ? undefined : toMember(e);
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

  /** Merges received entries (already schema-checked); `fromSync` for a full state exchange. */
  mergeAll(entries: readonly GossipEntry[], fromSync: boolean): void {
    const now = this.clock.now();
    for (const e of entries) this.handle(this.view.merge(e, now, fromSync));
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

  /** Removes a member from view, queue and published members (no event). */
  forget(id: string): void {
    if (!this.view.remove(id)) return;
    this.cancelSuspicion(id);
    this.publisher.update(id, undefined);
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
      if (e.id === to || e.id === selfId) return false;
      const h = held.get(e.id);
      return h === undefined || h.incarnation !== e.incarnation || h.status !== e.status;
    });
    return [...first, ...pickRandom(rest, this.options.maxEntriesPerMessage - first.length, this.random)];
  }

  /** Cancels every suspicion and damping timer (on stop). */
  stop(): void {
    for (const t of this.suspicions.values()) t.cancel();
    this.suspicions.clear();
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
    this.broadcasts.enqueue(after);
    // The forgotten left member goes before the event fires, so listeners (the ring) never see it again.
    if (result.evicted === after.id) {
      this.cancelSuspicion(after.id);
      return this.publisher.dropLeft(after.id, toMember(after));
    }
    if (result.evicted !== undefined) this.dropEvicted(result.evicted);
    if (after.status === 'suspect') this.startSuspicion(after);
    else this.cancelSuspicion(after.id);
    this.publisher.update(after.id, toMember(after));
  }

  /** A left member the view forgot to keep maxLeftMembers: no longer published (no event of its own). */
  private dropEvicted(id: string): void {
    this.cancelSuspicion(id);
    this.publisher.update(id, undefined);
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
