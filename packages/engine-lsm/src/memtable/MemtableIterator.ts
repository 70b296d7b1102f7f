import { KIND_VALUE, MAX_SEQ } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import { NIL } from './SkipList';
import type { SkipList } from './SkipList';

const EMPTY = new Uint8Array(0);

/**
 * Cursor over a memtable in internal order (see InternalIterator). `key` and
 * `value` are views into the memtable's arena: they stay valid as long as
 * the memtable is referenced, and must not be modified. It sees entries
 * added after its creation. `prev()` costs one O(log n) search.
 */
export class MemtableIterator implements InternalIterator {
  private node = NIL;

  constructor(private readonly list: SkipList) {}

  get valid(): boolean {
    return this.node !== NIL;
  }

  seekToFirst(): void {
    this.node = this.list.first();
  }

  seekToLast(): void {
    this.node = this.list.last();
  }

  seek(key: Uint8Array, seq = MAX_SEQ): void {
    this.node = this.list.seek(key, seq, KIND_VALUE);
  }

  next(): void {
    if (this.node !== NIL) this.node = this.list.next(this.node);
  }

  prev(): void {
    if (this.node !== NIL) this.node = this.list.before(this.node);
  }

  get key(): Uint8Array {
    return this.node === NIL ? EMPTY : this.list.keyOf(this.node);
  }

  get seq(): number {
    return this.list.seqOf(this.node);
  }

  get kind(): EntryKind {
    return this.list.kindOf(this.node) === KIND_VALUE ? 1 : 0;
  }

  get value(): Uint8Array {
    return this.node === NIL ? EMPTY : this.list.valueOf(this.node);
  }
}
