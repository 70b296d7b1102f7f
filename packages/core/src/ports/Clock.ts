import type { ServiceIdentifier } from 'inversify';

/** A scheduled callback; `cancel()` is idempotent. */
export interface Timer {
  cancel(): void;
}

/**
 * The only source of time and timers. Nothing outside Clock implementations
 * reads Date.now() or calls setTimeout, which is what lets the simulation run
 * on virtual time and replay a run from its seed.
 */
export interface Clock {
  /** Wall-clock milliseconds since the Unix epoch (may jump; may be skewed in simulation). */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin; never goes backwards. */
  monotonic(): number;
  /** Runs `fn` once after at least `ms` milliseconds. Timers never keep a process alive. */
  setTimer(ms: number, fn: () => void): Timer;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

export const ClockToken: ServiceIdentifier<Clock> = Symbol.for('dynamis.Clock');
