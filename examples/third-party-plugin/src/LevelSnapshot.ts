import { AbstractEngineSnapshot } from '@dynamis/core';

/** What this file needs of an abstract-level snapshot. */
export interface LevelSnapshotHandle {
  close(): Promise<void>;
}

/**
 * A snapshot of LevelStorageEngine: a LevelDB snapshot (db.snapshot(), a
 * sequence number LevelDB keeps readable). The caller's release() and every
 * iterator opened on it each hold it; the LevelDB snapshot is closed when the
 * last hold is dropped, so releasing the snapshot never disturbs an iterator
 * still reading it (as the port requires).
 */
export class LevelSnapshot extends AbstractEngineSnapshot {
  private holds = 1;

  constructor(readonly handle: LevelSnapshotHandle) {
    super();
  }

  /** Another hold (an iterator opened on it); pair with one drop(). */
  hold(): void {
    this.holds++;
  }

  /** Drops one hold; closes the LevelDB snapshot when none is left. Never throws. */
  drop(): void {
    if (--this.holds === 0) this.handle.close().catch(() => undefined);
  }

  protected override _release(): void {
    this.drop();
  }
}
