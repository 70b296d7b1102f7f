import type { EntryKind } from './internalKey';

/**
 * A cursor over entries in internal order (user key ascending, then sequence
 * descending). Implemented by the memtable and SSTable iterators; the engine
 * merges several of them. Single-threaded, synchronous; not safe to use after
 * its source is closed.
 *
 * A fresh iterator is not valid until positioned. `key`, `seq`, `kind` and
 * `value` may be read only while `valid`; reading them otherwise is a bug
 * (result unspecified). `key` and `value` are read-only views that stay
 * correct at least until the iterator moves; copy them to keep them.
 *
 * Movement methods throw CORRUPTION (details.file, details.offset) when they
 * meet damaged bytes; the iterator is then invalid.
 */
export interface InternalIterator {
  /** True when positioned at an entry. */
  readonly valid: boolean;
  /** Positions at the first entry (invalid if there is none). */
  seekToFirst(): void;
  /** Positions at the last entry (invalid if there is none). */
  seekToLast(): void;
  /**
   * Positions at the first entry at or after the internal key (key, seq,
   * kind 1). With the default seq (MAX_SEQ) that is the newest entry of the
   * first user key >= `key`; with seq = S it skips versions newer than S.
   */
  seek(key: Uint8Array, seq?: number): void;
  /** Moves to the next entry; invalid past the last. Requires `valid`. */
  next(): void;
  /** Moves to the previous entry; invalid before the first. Requires `valid`. */
  prev(): void;
  /** The current user key. */
  readonly key: Uint8Array;
  /** The current sequence number. */
  readonly seq: number;
  /** The current kind: 0 deletion, 1 value. */
  readonly kind: EntryKind;
  /** The current value (empty for a deletion). */
  readonly value: Uint8Array;
}
