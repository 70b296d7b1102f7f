import type { PurgedKey, PurgeReport } from '@dynamis/core';

/** Bytes a purge record is charged beyond its key and note (object, array slot, buffer headers). */
export const PURGE_RECORD_OVERHEAD = 96;

/** What one merge purged, as plain data (it crosses from the worker thread by structured clone). */
export interface PurgeLogData {
  /** Purged keys in key order, within the log's byte bound. */
  readonly keys: PurgedKey[];
  /** Purges past the bound, not itemized: every key in [gte, lte] may have been purged. */
  readonly unlisted: PurgeReport['unlisted'];
}

/**
 * The purges (filter 'remove' and 'replace' decisions) of one merge, held
 * until its result is committed and they can be reported. Bounded: once the
 * records reach `maxBytes` (key + note + PURGE_RECORD_OVERHEAD each), further
 * purges are not kept; only the key range they span is (`unlisted`), so a
 * merge over millions of purged keys holds at most `maxBytes` plus two keys.
 * Keys must be added in key order (a merge's order).
 */
export class PurgeLog {
  private readonly keys: PurgedKey[] = [];
  private bytes = 0;
  private gte: Uint8Array | undefined = undefined;
  private lte: Uint8Array | undefined = undefined;

  constructor(private readonly maxBytes: number) {}

  /** Records a purge of `key` (copied; `note` kept as it is). */
  add(key: Uint8Array, action: PurgedKey['action'], note: Uint8Array | undefined): void {
    const cost = key.length + (note?.length ?? 0) + PURGE_RECORD_OVERHEAD;
    if (this.gte === undefined && this.bytes + cost <= this.maxBytes) {
      this.bytes += cost;
      const copy = Uint8Array.from(key);
      this.keys.push(note === undefined ? { key: copy, action } : { key: copy, action, note });
      return;
    }
    this.gte ??= Uint8Array.from(key);
    this.lte = Uint8Array.from(key);
  }

  data(): PurgeLogData {
    return { keys: this.keys, unlisted: this.gte === undefined ? undefined : { gte: this.gte, lte: this.lte! } };
  }
}
