import type { Damage } from '../damage/Damage';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import { fileOverlaps, type FileMeta, type KeySpan } from './FileMeta';

/**
 * An immutable snapshot of the live table files, by level. Level 0 holds
 * files whose key ranges may overlap, newest data first (maxSeq
 * descending); every level >= 1 holds files with disjoint key ranges sorted
 * by smallest key. Data in level n is newer than data for the same key in
 * level n + 1 (both strategies keep this invariant).
 *
 * `refs` counts holders (the VersionSet for its current version, iterators,
 * compactions); VersionSet.release() drops a holder and frees the files no
 * live version lists any more.
 */
export class Version {
  /** Holders of this version (see VersionSet.acquire / release). */
  refs = 0;

  constructor(
    readonly levels: readonly (readonly FileMeta[])[],
    /** Range tombstones flushed from memtables and not yet dropped, ascending seq (docs/format.md, "Range deletions"). */
    readonly rangeDels: readonly RangeTombstone[] = [],
    /** Fenced key ranges of quarantined tables, not yet cleared by a deleteRange (damage/Damage.ts). */
    readonly damaged: readonly Damage[] = [],
  ) {}

  /** Number of levels (L0 included). */
  get levelCount(): number {
    return this.levels.length;
  }

  /** The files of `level` (empty beyond the last level). */
  files(level: number): readonly FileMeta[] {
    return this.levels[level] ?? [];
  }

  /** Bytes of the files of `level`. */
  levelBytes(level: number): number {
    let n = 0;
    for (const f of this.files(level)) n += f.size;
    return n;
  }

  /** Every file, L0 first. */
  allFiles(): FileMeta[] {
    const out: FileMeta[] = [];
    for (const level of this.levels) out.push(...level);
    return out;
  }

  /**
   * In a sorted level (>= 1): the index of the first file whose largest key
   * is >= `key` (files.length when none). Binary search, no allocation.
   */
  findFile(level: number, key: Uint8Array): number {
    return findFile(this.files(level), key);
  }

  /** The files of `level` whose ranges intersect [lo, hi] (undefined: open bound), in level order. */
  overlapping(level: number, lo: Uint8Array | undefined, hi: Uint8Array | undefined): FileMeta[] {
    const files = this.files(level);
    if (level === 0) return files.filter((f) => fileOverlaps(f, lo, hi));
    const out: FileMeta[] = [];
    for (let i = lo === undefined ? 0 : this.findFile(level, lo); i < files.length; i++) {
      const f = files[i]!;
      if (hi !== undefined && Buffer.compare(f.smallest, hi) > 0) break;
      out.push(f);
    }
    return out;
  }

  /**
   * The sequence numbers of the range tombstones that can be dropped: every
   * file whose range meets the tombstone's has rangeDelSeq >= its seq, so
   * no data it deletes is left (snapshots hold their own Version).
   */
  obsoleteRangeDels(): number[] {
    const out: number[] = [];
    for (const t of this.rangeDels) {
      let clean = true;
      for (let level = 0; level < this.levels.length && clean; level++) {
        for (const f of this.overlapping(level, t.start, t.end)) {
          if (f.rangeDelSeq < t.seq) {
            clean = false;
            break;
          }
        }
      }
      if (clean) out.push(t.seq);
    }
    return out;
  }

  /** True when some file of a level in (afterLevel, last] holds `key` in its range. */
  keyMayExistBelow(afterLevel: number, key: Uint8Array): boolean {
    for (let level = Math.max(1, afterLevel + 1); level < this.levels.length; level++) {
      const files = this.files(level);
      const i = this.findFile(level, key);
      if (i < files.length && Buffer.compare(files[i]!.smallest, key) <= 0) return true;
    }
    return false;
  }
}

/** In files sorted by key range: the index of the first whose largest key is >= `key` (files.length when none). */
export function findFile(files: readonly KeySpan[], key: Uint8Array): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(files[mid]!.largest, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
