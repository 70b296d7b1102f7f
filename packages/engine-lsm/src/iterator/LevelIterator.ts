import { MAX_SEQ, type EntryKind } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import type { FileMeta } from '../version/FileMeta';
import { findFile } from '../version/Version';

/** Opens the internal iterator of a table file (throws CORRUPTION / IO_ERROR). */
export type TableIteratorFactory = (file: FileMeta) => InternalIterator;

const EMPTY = new Uint8Array(0);

/**
 * The concatenation of the files of one sorted level (disjoint key ranges,
 * ordered by key) as one InternalIterator. Opens a file's iterator only when
 * it gets there, so a scan of a small range touches few files.
 */
export class LevelIterator implements InternalIterator {
  private index = -1;
  private current: InternalIterator | undefined = undefined;

  constructor(
    private readonly files: readonly FileMeta[],
    private readonly open: TableIteratorFactory,
  ) {}

  get valid(): boolean {
    return this.current !== undefined && this.current.valid;
  }

  seekToFirst(): void {
    if (this.load(0)) this.current!.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    if (this.load(this.files.length - 1)) this.current!.seekToLast();
    this.skipBackward();
  }

  seek(key: Uint8Array, seq = MAX_SEQ): void {
    if (this.load(findFile(this.files, key))) this.current!.seek(key, seq);
    this.skipForward();
  }

  next(): void {
    this.current!.next();
    this.skipForward();
  }

  prev(): void {
    this.current!.prev();
    this.skipBackward();
  }

  get key(): Uint8Array {
    return this.current === undefined ? EMPTY : this.current.key;
  }

  get seq(): number {
    return this.current!.seq;
  }

  get kind(): EntryKind {
    return this.current!.kind;
  }

  get value(): Uint8Array {
    return this.current === undefined ? EMPTY : this.current.value;
  }

  /** Points at file i (opening its iterator, unpositioned); false when out of range. */
  private load(i: number): boolean {
    if (i < 0 || i >= this.files.length) {
      this.index = -1;
      this.current = undefined;
      return false;
    }
    if (i !== this.index || this.current === undefined) {
      this.current = this.open(this.files[i]!);
      this.index = i;
    }
    return true;
  }

  private skipForward(): void {
    while (this.current !== undefined && !this.current.valid) {
      if (this.load(this.index + 1)) this.current!.seekToFirst();
    }
  }

  private skipBackward(): void {
    while (this.current !== undefined && !this.current.valid) {
      if (this.load(this.index - 1)) this.current!.seekToLast();
    }
  }
}
