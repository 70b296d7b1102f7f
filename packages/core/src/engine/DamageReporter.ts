import { DynamisError } from '../errors/DynamisError';
import type { DamagedRange, DamageListener } from '../ports/StorageEngine';

/**
 * The damage listener slot of an engine (StorageEngine.setDamageListener)
 * and its delivery. What the listener throws is counted in `failures` and
 * goes no further; a call made from inside the listener is dropped, so
 * delivery is never re-entrant.
 */
export class DamageReporter {
  private listener: DamageListener | undefined = undefined;
  private failures_ = 0;
  private delivering = false;

  /** Installs or removes the listener; INVALID_ARGUMENT if not a function or undefined. */
  set(listener: DamageListener | undefined): void {
    if (listener !== undefined && typeof listener !== 'function') {
      throw new DynamisError('INVALID_ARGUMENT', 'damage listener must be a function or undefined', {
        details: { argument: 'listener' },
      });
    }
    this.listener = listener;
  }

  /** Listener calls that threw, since the engine was created. */
  get failures(): number {
    return this.failures_;
  }

  /** Tells the listener, if any, of `damage`. Never throws. */
  deliver(damage: DamagedRange): void {
    const listener = this.listener;
    if (listener === undefined || this.delivering) return;
    this.delivering = true;
    try {
      listener(damage);
    } catch {
      this.failures_++;
    } finally {
      this.delivering = false;
    }
  }
}
