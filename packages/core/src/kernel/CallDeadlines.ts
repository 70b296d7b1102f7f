import type { Clock, Timer } from '../ports/Clock';

/** A scheduled deadline: `expire` runs once when it passes, unless it was removed first. The links belong to CallDeadlines. */
export class CallDeadline {
  deadline = 0;
  prev: CallDeadline | null = null;
  next: CallDeadline | null = null;
  lane: Lane | null = null;
  constructor(readonly expire: () => void) {}
}

/** The deadlines of one timeout length, oldest first: their deadlines are non-decreasing. */
interface Lane {
  head: CallDeadline | null;
  tail: CallDeadline | null;
}

/** Empty lanes are kept for reuse until there are this many. */
const MAX_LANES = 64;

/**
 * Many call deadlines on one Clock timer (PeerRpc's, instead of a timer per
 * call). Deadlines are kept in one list per timeout length, in order, so
 * `add` and `remove` are O(1) list links; the timer is armed for the earliest
 * deadline and re-armed, when it fires, for the next one. A deadline never
 * fires before its time on the Clock (virtual time in simulation), and never
 * after it was removed. When nothing is scheduled no timer is pending.
 */
export class CallDeadlines {
  private readonly lanes = new Map<number, Lane>();
  private count = 0;
  private timer: Timer | undefined;
  private armedFor = Infinity;

  constructor(private readonly clock: Clock) {}

  /** Schedules `d` (not scheduled already) to expire `ms` from now. */
  add(d: CallDeadline, ms: number): void {
    d.deadline = this.clock.monotonic() + ms;
    let lane = this.lanes.get(ms);
    if (lane === undefined) {
      if (this.lanes.size >= MAX_LANES) for (const [k, l] of this.lanes) if (l.head === null) this.lanes.delete(k);
      lane = { head: null, tail: null };
      this.lanes.set(ms, lane);
    }
    d.lane = lane;
    d.prev = lane.tail;
    d.next = null;
    if (lane.tail === null) lane.head = d;
    else lane.tail.next = d;
    lane.tail = d;
    this.count++;
    if (d.deadline < this.armedFor) this.arm(d.deadline);
  }

  /** Unschedules `d`; false (and nothing done) if it is not scheduled (it expired, or was removed). */
  remove(d: CallDeadline): boolean {
    const lane = d.lane;
    if (lane === null) return false;
    if (d.prev === null) lane.head = d.next;
    else d.prev.next = d.next;
    if (d.next === null) lane.tail = d.prev;
    else d.next.prev = d.prev;
    d.prev = d.next = d.lane = null;
    if (--this.count === 0) this.disarm();
    return true;
  }

  private arm(at: number): void {
    this.timer?.cancel();
    this.armedFor = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.monotonic()), this.fire);
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.monotonic();
    const expired: CallDeadline[] = [];
    for (const lane of this.lanes.values()) {
      while (lane.head !== null && lane.head.deadline <= now) {
        const d = lane.head;
        this.remove(d);
        expired.push(d);
      }
    }
    let next = Infinity;
    for (const lane of this.lanes.values()) if (lane.head !== null && lane.head.deadline < next) next = lane.head.deadline;
    if (next < Infinity) this.arm(next);
    for (const d of expired) d.expire();
  };
}
