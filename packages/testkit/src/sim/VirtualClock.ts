import { DynamisError, type Clock, type Timer } from '@dynamis/core';
import type { Scheduler } from './Scheduler';

/** Wall-clock time at virtual time 0 unless configured: 2024-01-01T00:00:00Z. */
export const DEFAULT_EPOCH_MS = 1_704_067_200_000;

export interface VirtualClockOptions {
  /** Wall-clock ms since the Unix epoch at scheduler time 0 (default DEFAULT_EPOCH_MS). */
  readonly epochMs?: number;
  /** Initial wall-clock offset of this node, ms (default 0). */
  readonly skewMs?: number;
}

/**
 * One node's view of simulated time, implementing core's `Clock` on a shared
 * `Scheduler`.
 *
 * - `monotonic()` is the scheduler's time: identical on every node, never
 *   goes backwards, unaffected by skew or jumps.
 * - `now()` is `epochMs + monotonic() + offset`; the offset starts at
 *   `skewMs` and changes with `setSkew` / `jump`, so wall time may differ
 *   between nodes and may jump backwards, as NTP can make it.
 * - `setTimer` / `sleep` run on the scheduler after `ms` of virtual time; a
 *   wall-clock jump does not move them (timers are monotonic, as in Node).
 * - `halt()` is the clock's side of a node crash: every pending timer and
 *   sleep is cancelled, and later ones never fire (a crashed process runs
 *   nothing). A restarted node gets a new clock (see Simulation.crashNode).
 */
export class VirtualClock implements Clock {
  private readonly epochMs: number;
  private offset: number;
  private halted = false;
  private paused = false;
  /** Callbacks of timers that came due while paused, in the order they came due. */
  private held: (() => void)[] = [];
  private readonly timers = new Set<Timer>();

  constructor(
    private readonly scheduler: Scheduler,
    options: VirtualClockOptions = {},
  ) {
    this.epochMs = finite(options.epochMs ?? DEFAULT_EPOCH_MS, 'epochMs');
    this.offset = finite(options.skewMs ?? 0, 'skewMs');
  }

  now(): number {
    return this.epochMs + this.scheduler.now() + this.offset;
  }

  monotonic(): number {
    return this.scheduler.now();
  }

  /** Throws INVALID_ARGUMENT for a non-finite `ms`; negative counts as 0. */
  setTimer(ms: number, fn: () => void): Timer {
    if (this.halted) {
      finite(ms, 'delay');
      return { cancel: () => undefined };
    }
    const event = this.scheduler.schedule(ms, () => {
      this.timers.delete(event);
      if (this.paused) this.held.push(fn);
      else fn();
    });
    this.timers.add(event);
    return {
      cancel: () => {
        this.timers.delete(event);
        event.cancel();
      },
    };
  }

  /** Resolves after `ms` of virtual time; never resolves once the clock is halted. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(ms, resolve);
    });
  }

  /** Cancels every pending timer and sleep; later ones never fire. Idempotent. */
  halt(): void {
    this.halted = true;
    this.paused = false;
    this.held = [];
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  /**
   * Freezes the node's timers (a SIGSTOPped process): a timer or sleep that
   * comes due while paused does not fire until `resume()`, which fires every
   * held one at once, in the order they came due. Time itself (`now`,
   * `monotonic`) goes on, so a resumed node sees its wall clock jump ahead.
   * Idempotent; no-op on a halted clock.
   */
  pause(): void {
    if (!this.halted) this.paused = true;
  }

  /** Ends a pause: the timers held meanwhile fire now (as scheduler events at the current time, in order). Idempotent. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const fn of held) {
      const event = this.scheduler.schedule(0, () => {
        this.timers.delete(event);
        fn();
      });
      this.timers.add(event);
    }
  }

  /** True between `pause()` and `resume()` (or a halt). */
  isPaused(): boolean {
    return this.paused;
  }

  /** True once `halt()` was called. */
  isHalted(): boolean {
    return this.halted;
  }

  /** Number of timers (and sleeps) pending on this clock. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** The current wall-clock offset of this node, ms. */
  skew(): number {
    return this.offset;
  }

  /** Sets the wall-clock offset to `ms` (relative to true simulated time). */
  setSkew(ms: number): void {
    this.offset = finite(ms, 'skewMs');
  }

  /** Moves this node's wall clock by `ms` at once (negative = backwards). */
  jump(ms: number): void {
    this.offset += finite(ms, 'jump');
  }
}

function finite(value: number, name: string): number {
  if (!Number.isFinite(value)) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be a finite number, got ${value}`);
  }
  return value;
}
