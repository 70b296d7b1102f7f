import type { Clock, Timer } from '@dynamis/core';

/** A read that may ask more replicas once the ones it asked are slow (SelectiveFanout). */
export interface Speculative {
  /** Clock.monotonic() time at which `speculate` is due; set by SpeculationSweep.watch. */
  deadline: number;
  /** Called once the deadline passed while the read was still watched. */
  speculate(): void;
}

/** Where a read registers for its speculative retry. */
export interface SpeculationScheduler {
  /** Calls `read.speculate()` after the scheduler's delay, unless `unwatch(read)` comes first. Re-watching restarts the delay. */
  watch(read: Speculative): void;
  /** Forgets `read` (idempotent). */
  unwatch(read: Speculative): void;
}

/**
 * One Clock timer for all of a coordinator's reads instead of one per read.
 * Every read waits the same `delayMs`, so the reads watched, in insertion
 * order, are also in deadline order: the timer is armed for the first one's
 * deadline; when it fires, every read whose deadline passed is speculated
 * (and forgotten) and the timer is re-armed for the next one. A read that
 * completes is only deleted from the set (no timer is cancelled per read);
 * a timer that finds nothing due re-arms for the next deadline or stops.
 *
 * Bound: the set holds at most the reads in flight on this coordinator (each
 * leaves it when it completes or is speculated), and those are bounded by the
 * requests the node admits (client API in-flight limits).
 */
export class SpeculationSweep implements SpeculationScheduler {
  private readonly watched = new Set<Speculative>();
  private timer: Timer | undefined;
  /** True while `sweep` runs: a read it re-watches does not arm a second timer. */
  private sweeping = false;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
  ) {}

  watch(read: Speculative): void {
    read.deadline = this.clock.monotonic() + this.delayMs;
    this.watched.delete(read); // re-watched: moves to the end (its new deadline is the latest)
    this.watched.add(read);
    if (this.timer === undefined && !this.sweeping) this.arm(this.delayMs);
  }

  unwatch(read: Speculative): void {
    this.watched.delete(read);
  }

  /** Cancels the timer and forgets every read (none is speculated). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.watched.clear();
  }

  /** Reads watched now (for tests). */
  get size(): number {
    return this.watched.size;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimer(Math.max(1, Math.ceil(ms)), this.sweep);
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    this.sweeping = true;
    const now = this.clock.monotonic();
    let next: Speculative | undefined;
    try {
      for (const read of this.watched) {
        // A read re-watched by its own speculate() is appended with a later deadline: the loop stops there.
        if (read.deadline > now) {
          next = read;
          break;
        }
        this.watched.delete(read);
        read.speculate();
      }
    } finally {
      this.sweeping = false;
      next ??= this.watched.values().next().value;
      if (next !== undefined) this.arm(next.deadline - now);
    }
  };
}
