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
 * Many per-request timeouts on a single Clock timer. Entries are grouped by
 * timeout length into linked lists whose deadlines are in order, so `add` and
 * `remove` are O(1) and allocate nothing (but a list per new timeout length);
 * the timer is armed for the earliest head. `onExpire` runs once per expired
 * entry, after the entry is removed, never for a removed entry.
 */
export class Deadlines<T extends DeadlineEntry> {
  private readonly groups = new Map<number, Group>();
  private timer: Timer | undefined;
  private armedFor = Infinity;

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
    this.timer = undefined;
    this.armedFor = Infinity;
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
