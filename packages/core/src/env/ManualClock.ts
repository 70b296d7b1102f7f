import { DynamisError } from '../errors/DynamisError';
import type { Clock, Timer } from '../ports/Clock';

export interface ManualClockOptions {
  /** Wall-clock ms since the Unix epoch at monotonic time 0 (default 2024-01-01T00:00:00Z). */
  readonly epochMs?: number;
  /** Most timers one `advance` may run before it throws (default 100,000): guards against a timer rescheduling itself with no delay. */
  readonly maxTimers?: number;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

/** Lets every queued microtask (promise continuation) run; used for ordering only, never for time. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A Clock that moves only when told to: for tests of code that takes its time
 * and timers from the Clock port (core's own tests, which cannot use
 * @dynamis/testkit's VirtualClock without a dependency cycle).
 *
 * - `monotonic()` starts at 0 and moves only in `advance`; `now()` is
 *   `epochMs + monotonic()`. Nothing here reads the real clock.
 * - `setTimer(ms, fn)` runs `fn` once `advance` reaches its due time (negative
 *   delays count as 0); timers due at the same time run in the order they were
 *   set. `cancel()` is idempotent.
 * - `advance(ms)` drains the microtask queue (one `setImmediate` turn) before
 *   each due timer and once at the end, so async code woken by a timer runs to
 *   its next wait before the next timer fires, as on a real event loop; timers
 *   set while advancing run too if they fall due within the window.
 *
 * Not reentrant: calling `advance` while another `advance` runs throws.
 */
export class ManualClock implements Clock {
  private readonly queue: Entry[] = [];
  private readonly epochMs: number;
  private readonly maxTimers: number;
  private time = 0;
  private seq = 0;
  private advancing = false;

  /** Throws INVALID_ARGUMENT for a non-finite epochMs or a maxTimers that is not a positive integer. */
  constructor(options: ManualClockOptions = {}) {
    this.epochMs = finite(options.epochMs ?? 1_704_067_200_000, 'epochMs');
    this.maxTimers = options.maxTimers ?? 100_000;
    if (!Number.isSafeInteger(this.maxTimers) || this.maxTimers < 1) {
      throw new DynamisError('INVALID_ARGUMENT', `maxTimers must be a positive integer, got ${this.maxTimers}`);
    }
  }

  now(): number {
    return this.epochMs + this.time;
  }

  monotonic(): number {
    return this.time;
  }

  /** Throws INVALID_ARGUMENT for a non-finite `ms`. */
  setTimer(ms: number, fn: () => void): Timer {
    const entry: Entry = { at: this.time + Math.max(0, finite(ms, 'ms')), seq: this.seq++, fn };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.at > entry.at) i--;
    this.queue.splice(i, 0, entry);
    return {
      cancel: () => {
        if (entry.fn === undefined) return;
        entry.fn = undefined;
        this.queue.splice(this.queue.indexOf(entry), 1);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Timers set and neither run nor cancelled. */
  pendingTimers(): number {
    return this.queue.length;
  }

  /** Monotonic time at which the next timer is due, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.queue[0]?.at;
  }

  /**
   * Moves time forward by `ms` (≥ 0), running every timer due by then in
   * order (time is set to each timer's due time as it runs), draining
   * microtasks before each one and at the end. An exception thrown by a
   * timer propagates (the timer is consumed, time stays at its due time).
   */
  async advance(ms: number): Promise<void> {
    if (!(finite(ms, 'ms') >= 0)) throw new DynamisError('INVALID_ARGUMENT', `advance needs ms >= 0, got ${ms}`);
    if (this.advancing) throw new Error('ManualClock: advance is already running (not reentrant)');
    this.advancing = true;
    try {
      const end = this.time + ms;
      for (let ran = 0; ; ran++) {
        await drainMicrotasks();
        const head = this.queue[0];
        if (head === undefined || head.at > end) break;
        if (ran >= this.maxTimers) throw new Error(`ManualClock: more than ${this.maxTimers} timers in one advance`);
        this.queue.shift();
        const fn = head.fn!;
        head.fn = undefined;
        this.time = head.at;
        fn();
      }
      this.time = end;
    } finally {
      this.advancing = false;
    }
    await drainMicrotasks();
  }
}

function finite(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new DynamisError('INVALID_ARGUMENT', `${name} must be a finite number, got ${value}`);
  return value;
}
