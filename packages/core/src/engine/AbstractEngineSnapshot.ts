import { DynamisError } from '../errors/DynamisError';
import type { Snapshot } from '../ports/StorageEngine';

/**
 * Base of engine snapshots (StorageEngine.snapshot()). An implementation
 * subclasses it to carry what it pins (a sequence number, memtables, a
 * version, a copy-on-write tree) and fills in `_release`.
 * AbstractStorageEngine registers each snapshot it hands out, checks on
 * every read that the snapshot is its own and not released, and releases
 * the ones left when it closes.
 */
export abstract class AbstractEngineSnapshot implements Snapshot {
  private registry: Set<AbstractEngineSnapshot> | undefined = undefined;
  private isReleased = false;

  /** True once released (by its holder or by the engine's close). */
  get released(): boolean {
    return this.isReleased;
  }

  /** Unpins what the snapshot holds. Called once; must not throw. */
  protected abstract _release(): void;

  /** Releases what the snapshot pins. Idempotent; never throws. */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.registry?.delete(this);
    this.registry = undefined;
    this._release();
  }

  /** Registers the snapshot in its engine's `registry`. For AbstractStorageEngine, once. */
  trackIn(registry: Set<AbstractEngineSnapshot>): void {
    if (this.isReleased) return;
    this.registry = registry;
    registry.add(this);
  }

  /**
   * Throws NOT_OPEN when released, INVALID_ARGUMENT when it belongs to
   * another engine (another `registry`). For AbstractStorageEngine.
   */
  checkUsableIn(registry: Set<AbstractEngineSnapshot>): void {
    if (this.isReleased) {
      throw new DynamisError('NOT_OPEN', 'the snapshot was released (by release() or by closing its engine)', {
        details: { resource: 'snapshot' },
      });
    }
    if (this.registry !== registry) {
      throw new DynamisError('INVALID_ARGUMENT', 'the snapshot belongs to another engine', { details: { argument: 'snapshot' } });
    }
  }
}
