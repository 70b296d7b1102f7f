import type { DropReason, GossipEntry, GossipStatus } from './messages';

/** Which of two entries of one incarnation wins: the higher rank. */
export const STATUS_RANK: Readonly<Record<GossipStatus, number>> = { alive: 0, leaving: 1, suspect: 2, dead: 3, left: 4 };

export interface ViewLimits {
  readonly maxMembers: number;
  /** Most `left` entries held (self included); beyond it the one with the oldest leftAt is forgotten. Below maxMembers. */
  readonly maxLeftMembers: number;
  readonly maxClockSkewMs: number;
}

/** How the view took one entry. */
export type MergeResult =
  /**
   * The view changed: `before` (undefined: a new member) became `after`;
   * `evicted`: a left member forgotten to keep the maxLeftMembers bound
   * (possibly `after` itself, the oldest left one).
   */
  | { readonly kind: 'applied'; readonly before: GossipEntry | undefined; readonly after: GossipEntry; readonly evicted?: string }
  /** Nothing new (older, or not outranking what the view holds). */
  | { readonly kind: 'stale' }
  /** An accusation against this node at its current incarnation: it must refute. */
  | { readonly kind: 'refute' }
  /** Refused, counted under `reason`; `refute` when this node should re-assert itself. */
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly refute: boolean };

/**
 * One node's view of the cluster: the latest entry per member, merged by
 * SWIM's rules (pure; no I/O, no timers). An entry replaces the held one when
 * its incarnation is higher, or equal with a higher STATUS_RANK. This node's
 * own entry changes only through `bumpSelf`: an entry about it from elsewhere
 * is stale, an accusation to refute, or refused (`self-authority`). At most
 * maxLeftMembers entries are `left`: past it the one with the oldest
 * (leftAt, id) is forgotten (an entry without leftAt counts as oldest), so
 * every view that saw the same leaves keeps the same left members.
 */
export class View {
  private readonly entries = new Map<string, GossipEntry>();
  private selfEntry: GossipEntry;

  constructor(
    self: GossipEntry,
    private readonly limits: ViewLimits,
  ) {
    this.selfEntry = self;
    this.entries.set(self.id, self);
  }

  get self(): GossipEntry {
    return this.selfEntry;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): GossipEntry | undefined {
    return this.entries.get(id);
  }

  /** Every entry, self included, in insertion order. */
  all(): GossipEntry[] {
    return [...this.entries.values()];
  }

  /** Members not left, self included (the `n` of the protocol's formulas). */
  activeCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.status !== 'left') n++;
    return n;
  }

  /**
   * Merges one received entry at wall-clock `now`. With `fromSync` (a full
   * state exchange) a `dead` claim about a member this view holds alive is
   * taken as `suspect` (memberlist's rule): the member gets a suspicion
   * period to refute instead of being declared down by a stale view.
   */
  merge(entry: GossipEntry, now: number, fromSync: boolean): MergeResult {
    if (entry.id === this.selfEntry.id) return this.mergeSelf(entry);
    const refused = this.aheadOf(entry, now);
    if (refused !== undefined) return { kind: 'drop', reason: refused, refute: false };
    const cur = this.entries.get(entry.id);
    if (cur === undefined) {
      if (this.entries.size >= this.limits.maxMembers) return { kind: 'drop', reason: 'view-full', refute: false };
      return this.put(undefined, entry);
    }
    let incoming = entry;
    if (fromSync && entry.status === 'dead' && cur.status !== 'dead' && cur.status !== 'left') incoming = { ...entry, status: 'suspect' };
    const newer =
      incoming.incarnation > cur.incarnation ||
      (incoming.incarnation === cur.incarnation && STATUS_RANK[incoming.status] > STATUS_RANK[cur.status]);
    return newer ? this.put(cur, incoming) : { kind: 'stale' };
  }

  /** Why `entry` would be refused at wall-clock `now` (an incarnation or time beyond the clock + maxClockSkewMs), else undefined. */
  aheadOf(entry: GossipEntry, now: number): 'incarnation-ahead' | 'time-ahead' | undefined {
    const ahead = now + this.limits.maxClockSkewMs;
    if (entry.incarnation > ahead) return 'incarnation-ahead';
    if ((entry.joinedAt ?? 0) > ahead || (entry.leftAt ?? 0) > ahead) return 'time-ahead';
    return undefined;
  }

  /**
   * Raises this node's incarnation by one and sets its status (refutation,
   * leave); `leftAt` is kept only on a `left` entry. Returns the new entry
   * and the left member forgotten to keep the bound, if any (never self).
   */
  bumpSelf(status: GossipStatus, leftAt?: number): { entry: GossipEntry; evicted: string | undefined } {
    const { leftAt: _old, ...rest } = this.selfEntry;
    const stamp = status === 'left' && leftAt !== undefined ? { leftAt } : {};
    this.selfEntry = { ...rest, ...stamp, status, incarnation: this.selfEntry.incarnation + 1 };
    this.entries.set(this.selfEntry.id, this.selfEntry);
    return { entry: this.selfEntry, evicted: status === 'left' ? this.trimLeft() : undefined };
  }

  /**
   * Sets this node's joinedAt without a new incarnation: only before the
   * node has gossiped its entry (GossipMembership.start), so no peer holds
   * this incarnation without it. Returns the new entry.
   */
  stampJoinedAt(joinedAt: number): GossipEntry {
    this.selfEntry = { ...this.selfEntry, joinedAt };
    this.entries.set(this.selfEntry.id, this.selfEntry);
    return this.selfEntry;
  }

  /** The latest joinedAt or leftAt any entry carries (0 when none does). */
  latestEventTime(): number {
    let t = 0;
    for (const e of this.entries.values()) t = Math.max(t, e.joinedAt ?? 0, e.leftAt ?? 0);
    return t;
  }

  /**
   * Records this node's own accusation against `id` (`suspect` or `dead` at
   * the held incarnation). Returns the merge result ('stale' if `id` is not
   * held at `incarnation` any more).
   */
  accuse(id: string, incarnation: number, status: 'suspect' | 'dead'): MergeResult {
    const cur = this.entries.get(id);
    if (cur === undefined || cur.incarnation !== incarnation || id === this.selfEntry.id) return { kind: 'stale' };
    if (STATUS_RANK[status] <= STATUS_RANK[cur.status]) return { kind: 'stale' };
    return this.put(cur, { ...cur, status });
  }

  /** Removes a member (FailureDetector.forget of a down or left member). Never self. */
  remove(id: string): boolean {
    return id !== this.selfEntry.id && this.entries.delete(id);
  }

  private mergeSelf(entry: GossipEntry): MergeResult {
    const mine = this.selfEntry;
    if (entry.incarnation > mine.incarnation) return { kind: 'drop', reason: 'self-authority', refute: true };
    if (entry.incarnation < mine.incarnation || entry.status === mine.status) return { kind: 'stale' };
    if (entry.status === 'suspect' || entry.status === 'dead') return mine.status === 'left' ? { kind: 'stale' } : { kind: 'refute' };
    // leaving/left/alive at my incarnation but not what I said: only this node issues those.
    if (STATUS_RANK[entry.status] > STATUS_RANK[mine.status]) return { kind: 'drop', reason: 'self-authority', refute: true };
    return { kind: 'stale' };
  }

  private put(before: GossipEntry | undefined, after: GossipEntry): MergeResult {
    this.entries.set(after.id, after);
    const evicted = after.status === 'left' ? this.trimLeft() : undefined;
    if (evicted === undefined) return { kind: 'applied', before, after };
    if (evicted === after.id && before === undefined) return { kind: 'stale' }; // a new member older than every left one kept
    return { kind: 'applied', before, after, evicted };
  }

  /** Forgets the oldest left member (never self) when more than maxLeftMembers are left; returns its id. */
  private trimLeft(): string | undefined {
    let count = 0;
    let oldest: GossipEntry | undefined;
    for (const e of this.entries.values()) {
      if (e.status !== 'left') continue;
      count++;
      if (e.id !== this.selfEntry.id && (oldest === undefined || leftBefore(e, oldest))) oldest = e;
    }
    if (count <= this.limits.maxLeftMembers || oldest === undefined) return undefined;
    this.entries.delete(oldest.id);
    return oldest.id;
  }
}

/** (leftAt, id) order of two left entries; no leftAt counts as oldest. */
function leftBefore(a: GossipEntry, b: GossipEntry): boolean {
  const x = a.leftAt ?? -1;
  const y = b.leftAt ?? -1;
  return x !== y ? x < y : a.id < b.id;
}
