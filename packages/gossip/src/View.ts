import type { DropReason, GossipEntry, GossipStatus } from './messages';

/** Which of two entries of one incarnation wins: the higher rank. */
export const STATUS_RANK: Readonly<Record<GossipStatus, number>> = { alive: 0, leaving: 1, suspect: 2, dead: 3, left: 4 };

export interface ViewLimits {
  readonly maxMembers: number;
  readonly maxClockSkewMs: number;
}

/** How the view took one entry. */
export type MergeResult =
  /** The view changed: `before` (undefined: a new member) became `after`. */
  | { readonly kind: 'applied'; readonly before: GossipEntry | undefined; readonly after: GossipEntry }
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
 * is stale, an accusation to refute, or refused (`self-authority`).
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
    if (entry.incarnation > now + this.limits.maxClockSkewMs) return { kind: 'drop', reason: 'incarnation-ahead', refute: false };
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

  /** Raises this node's incarnation by one and sets its status (refutation, leave). Returns the new entry. */
  bumpSelf(status: GossipStatus): GossipEntry {
    this.selfEntry = { ...this.selfEntry, status, incarnation: this.selfEntry.incarnation + 1 };
    this.entries.set(this.selfEntry.id, this.selfEntry);
    return this.selfEntry;
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
    return { kind: 'applied', before, after };
  }
}
