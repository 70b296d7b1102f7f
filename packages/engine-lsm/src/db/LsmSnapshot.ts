import { AbstractEngineSnapshot } from '@dynamis/core';
import type { Version } from '../version/Version';
import type { MemtableSlot } from './MemtableSlot';

/**
 * A snapshot of the LSM engine: the last sequence number at the time it was
 * taken, the memtables then live (active and frozen, newest first) and a
 * hold on the then-current Version. Memtables are insert-only and entries
 * newer than `seq` are filtered out, so reads through it see exactly the
 * state of that moment; the held Version keeps every table it lists on
 * disk (compaction may rewrite them, but deletes a file only once no
 * Version lists it). Releasing drops the Version hold (`unpin`), so the
 * files compacted away since can go, and the memtable references.
 */
export class LsmSnapshot extends AbstractEngineSnapshot {
  private pinned: { readonly mems: readonly MemtableSlot[]; readonly version: Version } | undefined;

  constructor(
    /** Entries with a larger sequence number are invisible. */
    readonly seq: number,
    mems: readonly MemtableSlot[],
    version: Version,
    private readonly unpin: (version: Version) => void,
  ) {
    super();
    this.pinned = { mems, version };
  }

  /** The memtables live when it was taken, newest first. Throws (a bug) once released. */
  get mems(): readonly MemtableSlot[] {
    return this.held().mems;
  }

  /** The held Version. Throws (a bug: the engine checks release first) once released. */
  get version(): Version {
    return this.held().version;
  }

  protected override _release(): void {
    const pinned = this.pinned;
    this.pinned = undefined;
    if (pinned !== undefined) this.unpin(pinned.version);
  }

  private held(): { readonly mems: readonly MemtableSlot[]; readonly version: Version } {
    if (this.pinned === undefined) throw new Error('engine-lsm snapshot used after release');
    return this.pinned;
  }
}
