import { DynamisError } from '../errors/DynamisError';
import { PURGE_REPORT_CHUNK, type PurgedKey, type PurgeListener, type PurgeReport } from '../ports/StorageEngine';

/**
 * The purge listener slot of an engine (StorageEngine.setPurgeListener) and
 * its delivery: an engine calls `deliver` once a compaction's purges are
 * durable, and the listener gets them in reports of at most
 * PURGE_REPORT_CHUNK keys. What the listener throws is counted in
 * `failures` and goes no further: a purge that is durable stays reported.
 */
export class PurgeReporter {
  private listener: PurgeListener | undefined = undefined;
  private failures_ = 0;
  private delivering = false;

  /** Installs or removes the listener; INVALID_ARGUMENT if not a function or undefined. */
  set(listener: PurgeListener | undefined): void {
    if (listener !== undefined && typeof listener !== 'function') {
      throw new DynamisError('INVALID_ARGUMENT', 'purge listener must be a function or undefined', {
        details: { argument: 'listener' },
      });
    }
    this.listener = listener;
  }

  /** Listener calls that threw, since the engine was created. */
  get failures(): number {
    return this.failures_;
  }

  /**
   * Reports `keys` (in key order) and `unlisted` (with the last report; see
   * PurgeReport) to the listener, if any; nothing when both are empty. A
   * call made from inside the listener (which must not call the engine)
   * is dropped, so delivery is never re-entrant. Never throws.
   */
  deliver(keys: readonly PurgedKey[], unlisted?: PurgeReport['unlisted']): void {
    if (this.delivering || (keys.length === 0 && unlisted === undefined)) return;
    this.delivering = true;
    try {
      for (let at = 0; at < keys.length || (at === 0 && unlisted !== undefined); at += PURGE_REPORT_CHUNK) {
        const listener = this.listener;
        if (listener === undefined) return;
        const last = at + PURGE_REPORT_CHUNK >= keys.length;
        const chunk = keys.slice(at, at + PURGE_REPORT_CHUNK);
        this.call(listener, last && unlisted !== undefined ? { keys: chunk, unlisted } : { keys: chunk });
      }
    } finally {
      this.delivering = false;
    }
  }

  private call(listener: PurgeListener, report: PurgeReport): void {
    try {
      listener(report);
    } catch {
      this.failures_++;
    }
  }
}
