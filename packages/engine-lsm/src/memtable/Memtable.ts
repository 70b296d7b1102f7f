import { invalidArgument } from '../util/corruption';
import { checkKind, checkSeq, KIND_VALUE, snapshotToSeq } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import { MemtableIterator } from './MemtableIterator';
import { NIL, SkipList } from './SkipList';

/** Bookkeeping bytes counted per entry on top of its key and value. */
export const MEMTABLE_ENTRY_OVERHEAD = 40;

const EMPTY = new Uint8Array(0);

/** What `Memtable.get` found: the newest visible entry of a key. */
export interface MemtableLookup {
  readonly kind: EntryKind;
  /** A copy the caller owns; absent for a deletion. */
  readonly value?: Uint8Array;
  readonly seq: number;
}

/**
 * The in-memory write buffer of the LSM engine: internal entries ordered by
 * (user key asc, seq desc) in a skip list (see SkipList). Insert-only; an
 * entry is never changed or removed, the whole memtable is dropped after its
 * flush. Single-threaded (the JS event loop): iterators created earlier see
 * later inserts, so readers filter by sequence number for a snapshot.
 * Range tombstones are kept beside the entries, in `rangeDels` (append-only,
 * ascending seq); readers apply them (see RangeTombstone).
 */
export class Memtable {
  private readonly list = new SkipList();
  private minSequence = Infinity;
  private maxSequence = -1;
  private readonly tombstones: RangeTombstone[] = [];
  private tombstoneBytes = 0;

  /**
   * Adds an entry, copying `key` and `value` (the caller may reuse them).
   * `value` is ignored for deletions (kind 0). Throws INVALID_ARGUMENT for a
   * seq outside [0, 2^53 - 1], a kind other than 0/1, or a (key, seq) pair
   * already present (sequence numbers must be unique per key).
   */
  add(seq: number, kind: EntryKind, key: Uint8Array, value: Uint8Array = EMPTY): void {
    checkSeq(seq);
    checkKind(kind);
    if (!this.list.insert(key, seq, kind, kind === KIND_VALUE ? value : EMPTY)) {
      throw invalidArgument(`memtable already holds an entry with seq ${seq} for this key`, { seq });
    }
    if (seq < this.minSequence) this.minSequence = seq;
    if (seq > this.maxSequence) this.maxSequence = seq;
  }

  /**
   * Adds a range tombstone deleting [start, end) below `seq`, copying the
   * keys. Throws INVALID_ARGUMENT for a seq outside [0, 2^53 - 1].
   */
  addRangeDeletion(seq: number, start: Uint8Array, end: Uint8Array): void {
    checkSeq(seq);
    this.tombstones.push({ start: Uint8Array.from(start), end: Uint8Array.from(end), seq });
    this.tombstoneBytes += start.length + end.length + MEMTABLE_ENTRY_OVERHEAD;
    if (seq < this.minSequence) this.minSequence = seq;
    if (seq > this.maxSequence) this.maxSequence = seq;
  }

  /** The range tombstones added, ascending seq. Grows while the memtable is active: filter by seq. */
  get rangeDels(): readonly RangeTombstone[] {
    return this.tombstones;
  }

  /** True when nothing (no entry, no range tombstone) was added. */
  get isEmpty(): boolean {
    return this.maxSequence < 0;
  }

  /**
   * The newest entry of `key` with seq <= `snapshotSeq` (default: all), or
   * undefined when the memtable has none. A deletion is returned as
   * `{ kind: 0, seq }`: it hides older data in lower layers. Allocates only
   * the result and its value copy.
   */
  get(key: Uint8Array, snapshotSeq = Infinity): MemtableLookup | undefined {
    const list = this.list;
    const n = list.seek(key, snapshotToSeq(snapshotSeq), KIND_VALUE);
    if (n === NIL || list.compareKey(n, key) !== 0) return undefined;
    const seq = list.seqOf(n);
    if (list.kindOf(n) === KIND_VALUE) return { kind: KIND_VALUE, value: list.copyValue(n), seq };
    return { kind: 0, seq };
  }

  /** Point entries added (range tombstones not counted). */
  get count(): number {
    return this.list.count;
  }

  /**
   * Memory charged to this memtable: key and value bytes plus
   * MEMTABLE_ENTRY_OVERHEAD per entry. Compare against the flush threshold.
   */
  get approximateBytes(): number {
    return this.list.payloadBytes + this.list.count * MEMTABLE_ENTRY_OVERHEAD + this.tombstoneBytes;
  }

  /** Smallest seq added (entries and range tombstones), or undefined while empty. */
  get minSeq(): number | undefined {
    return this.maxSequence < 0 ? undefined : this.minSequence;
  }

  /** Largest seq added (entries and range tombstones), or undefined while empty. */
  get maxSeq(): number | undefined {
    return this.maxSequence < 0 ? undefined : this.maxSequence;
  }

  /** A new unpositioned iterator over all entries (see InternalIterator). */
  iterator(): MemtableIterator {
    return new MemtableIterator(this.list);
  }
}
