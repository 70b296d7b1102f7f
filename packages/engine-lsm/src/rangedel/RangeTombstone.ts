import { compareRange } from '../util/internalKey';

/**
 * A range tombstone (RocksDB's DeleteRange): every entry of a user key k
 * with start <= k < end (memcmp order) and a sequence number below `seq` is
 * deleted. It takes one sequence number of its batch, like a point op, so
 * entries written after it (larger seq) are untouched. Keys are owned by
 * the tombstone and never mutated. See docs/format.md, "Range deletions".
 */
export interface RangeTombstone {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly seq: number;
}

/** True when start <= key < end. Allocation-free. */
export function tombstoneHolds(t: RangeTombstone, key: Uint8Array): boolean {
  const s = t.start;
  const e = t.end;
  return compareRange(key, 0, key.length, s, 0, s.length) >= 0 && compareRange(key, 0, key.length, e, 0, e.length) < 0;
}

/**
 * The largest sequence number of a tombstone of `list` holding `key` that
 * is visible at `snapshot` (seq <= snapshot), or `floor` when none is
 * larger. Linear in the list (range deletions are expected to be few).
 */
export function coveringSeq(list: readonly RangeTombstone[], key: Uint8Array, snapshot: number, floor: number): number {
  let best = floor;
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (t.seq > best && t.seq <= snapshot && tombstoneHolds(t, key)) best = t.seq;
  }
  return best;
}

/** The largest tombstone sequence number of `list`, or 0 when empty. */
export function maxTombstoneSeq(list: readonly RangeTombstone[]): number {
  let max = 0;
  for (const t of list) if (t.seq > max) max = t.seq;
  return max;
}

/**
 * The tombstones visible to one reader (an iterator or a compaction): those
 * of its sources with seq <= its snapshot, gathered once. `covers(key, seq)`
 * tells whether an entry is deleted by one of them.
 */
export class RangeDelSet {
  private readonly list: RangeTombstone[] = [];

  constructor(
    sources: readonly (readonly RangeTombstone[])[],
    private readonly snapshot = Number.MAX_SAFE_INTEGER,
  ) {
    for (const source of sources) for (const t of source) if (t.seq <= snapshot) this.list.push(t);
  }

  /** True when no tombstone is visible (readers then skip the check). */
  get empty(): boolean {
    return this.list.length === 0;
  }

  /** True when a visible tombstone newer than `seq` holds `key`. */
  covers(key: Uint8Array, seq: number): boolean {
    return coveringSeq(this.list, key, this.snapshot, seq) > seq;
  }
}
