import type { Clock, Timer } from '@dynamis/core';

/** An entry with a deadline; the links belong to Deadlines. */
export interface DeadlineEntry {
  deadline: number;
  dlPrev: DeadlineEntry | null;
  dlNext: DeadlineEntry | null;
  dlGroup: Group | null;
}

/** Entries of one timeout length, oldest first: their deadlines are non-decreasing. */
interface Group {
  readonly timeoutMs: number;
  head: DeadlineEntry | null;
  tail: DeadlineEntry | null;
}

/** Empty groups are kept for reuse until there are this many groups. */
const MAX_IDLE_GROUPS = 64;

/** Deadlines fire at most this early (timer rounding vs. the monotonic clock). */
const SLACK_MS = 1;

/**
 * A timer that fires more than this after its time means the event loop was
 * stalled (GC, a long task, a loaded machine): see Deadlines' `fire`.
 */
export const LATE_MS = 10;

/**
 * Many per-request timeouts on a single Clock timer. Entries are grouped by
 * timeout length into linked lists whose deadlines are in order, so `add` and
 * `remove` are O(1) and allocate nothing (but a list per new timeout length);
 * the timer is armed for the earliest head. `onExpire` runs once per expired
 * entry, after the entry is removed, never for a removed entry.
 *
 * A timer that fires late (more than LATE_MS after its time) expires nothing
 * yet: it re-arms at 0 ms once, and the entries due are judged at that next
 * firing. The event loop runs due timers before it reads sockets, so after
 * a stall a reply that arrived in time would otherwise lose to its own
 * deadline: a live peer timed out, and under load (a node busy for 200 ms)
 * gossip probes failed and healthy members were suspected. The 0 ms timer
 * fires in a later loop iteration, after the poll phase has read them.
 */
export class Deadlines<T extends DeadlineEntry> {
  private readonly groups = new Map<number, Group>();
  private timer: Timer | undefined;
  private armedFor = Infinity;
  /** The current firing is the one after a late one: expire what is due. */
  private graced = false;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (entry: T) => void,
  ) {}

  /** Schedules `entry` to expire `timeoutMs` from now. It must not be scheduled already. */
  add(entry: T, timeoutMs: number): void {
    entry.deadline = this.clock.monotonic() + timeoutMs;
    let g = this.groups.get(timeoutMs);
    if (g === undefined) {
      if (this.groups.size >= MAX_IDLE_GROUPS) this.pruneEmptyGroups();
      g = { timeoutMs, head: null, tail: null };
      this.groups.set(timeoutMs, g);
    }
    entry.dlGroup = g;
    entry.dlPrev = g.tail;
    entry.dlNext = null;
    if (g.tail === null) g.head = entry;
    else g.tail.dlNext = entry;
    g.tail = entry;
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Unschedules `entry`; a no-op if it is not scheduled. */
  remove(entry: T): void {
    const g = entry.dlGroup;
    if (g === null) return;
    if (entry.dlPrev === null) g.head = entry.dlNext;
    else entry.dlPrev.dlNext = entry.dlNext;
    if (entry.dlNext === null) g.tail = entry.dlPrev;
    else entry.dlNext.dlPrev = entry.dlPrev;
    entry.dlPrev = entry.dlNext = entry.dlGroup = null;
  }

  /** Cancels the timer and forgets every entry without expiring it. */
  clear(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
    this.graced = false;
    for (const g of this.groups.values()) {
      for (let e = g.head; e !== null;) {
        const next: DeadlineEntry | null = e.dlNext;
        e.dlPrev = e.dlNext = e.dlGroup = null;
        e = next;
      }
    }
    this.groups.clear();
  }

  private pruneEmptyGroups(): void {
    for (const [timeoutMs, g] of this.groups) if (g.head === null) this.groups.delete(timeoutMs);
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedFor = at;
    this.timer = this.clock.setTimer(Math.max(0, Math.ceil(at - this.clock.monotonic())), this.fire);
  }

  private readonly fire = (): void => {
    const due = this.armedFor;
    this.timer = undefined;
    this.armedFor = Infinity;
    if (!this.graced && this.clock.monotonic() - due > LATE_MS) {
      this.graced = true;
      this.arm(due); // in the past: a 0 ms timer, after the I/O that waited behind the stall
      return;
    }
    this.graced = false;
    const now = this.clock.monotonic() + SLACK_MS;
    const expired: DeadlineEntry[] = [];
    for (const g of this.groups.values()) {
      while (g.head !== null && g.head.deadline <= now) {
        const e = g.head;
        this.remove(e as T);
        expired.push(e);
      }
    }
    for (const e of expired) this.onExpire(e as T);
    let next = Infinity;
    for (const g of this.groups.values()) if (g.head !== null && g.head.deadline < next) next = g.head.deadline;
    if (next < this.armedFor) this.arm(next);
  };
}
