import { compareRange } from '../util/internalKey';

/**
 * What the manifest records about one live SSTable. Immutable except `refs`,
 * the number of live Versions listing the file (maintained by VersionSet):
 * a file is deleted when it drops to 0 after the file left the current
 * Version.
 */
export class FileMeta {
  /** Live Versions that list this file. */
  refs = 0;

  constructor(
    /** File number: the table is `NNNNNN.sst`. */
    readonly number: number,
    /** Bytes of the file. */
    readonly size: number,
    /** Entries (values and deletion markers). */
    readonly entries: number,
    /** Deletion markers among them. */
    readonly deletions: number,
    /** Sum of the user-key and value bytes of its entries. */
    readonly rawBytes: number,
    /** Smallest and largest sequence number in the file. */
    readonly minSeq: number,
    readonly maxSeq: number,
    /** Smallest and largest user key in the file (owned, never mutated). */
    readonly smallest: Uint8Array,
    readonly largest: Uint8Array,
    /**
     * The file holds no entry that a range tombstone with seq <= this
     * deletes (they were applied when it was written): the tombstone
     * garbage-collection watermark (see docs/format.md, "Range deletions").
     * Always >= maxSeq; maxSeq for a file written with no tombstone around.
     */
    readonly rangeDelSeq: number = maxSeq,
  ) {}
}

/** `f` with `rangeDelSeq` raised to at least `seq` (a new FileMeta; refs 0). */
export function withRangeDelSeq(f: FileMeta, seq: number): FileMeta {
  if (seq <= f.rangeDelSeq) return f;
  return new FileMeta(f.number, f.size, f.entries, f.deletions, f.rawBytes, f.minSeq, f.maxSeq, f.smallest, f.largest, seq);
}

/** A key range: smallest and largest user key, both inclusive. */
export interface KeySpan {
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
}

/** memcmp order of user keys (unsigned bytes, a proper prefix first). */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** True when the file's key range intersects [lo, hi] (undefined: open bound). */
export function fileOverlaps(f: FileMeta, lo: Uint8Array | undefined, hi: Uint8Array | undefined): boolean {
  if (lo !== undefined && Buffer.compare(f.largest, lo) < 0) return false;
  if (hi !== undefined && Buffer.compare(f.smallest, hi) > 0) return false;
  return true;
}

/** True when `key` lies in [f.smallest, f.largest]. Allocation-free (read path). */
export function fileContains(f: KeySpan, key: Uint8Array): boolean {
  const s = f.smallest;
  const l = f.largest;
  return compareRange(key, 0, key.length, s, 0, s.length) >= 0 && compareRange(key, 0, key.length, l, 0, l.length) <= 0;
}

/** L0 order: newest data first (maxSeq descending, then file number descending). */
export function newestFirst(a: FileMeta, b: FileMeta): number {
  return b.maxSeq - a.maxSeq || b.number - a.number;
}

/** Order of a sorted level: by smallest key. */
export function bySmallest(a: FileMeta, b: FileMeta): number {
  return Buffer.compare(a.smallest, b.smallest);
}
