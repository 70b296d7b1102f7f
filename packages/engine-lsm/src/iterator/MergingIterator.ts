import { compareRange, MAX_SEQ, type EntryKind } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';

const EMPTY = new Uint8Array(0);

/**
 * Merges child iterators (memtables, tables, levels) into one stream in
 * internal order (user key ascending, seq descending), or the exact reverse.
 * A binary heap over the children keeps the current entry on top; each
 * child's key, seq and kind are cached after it moves, so comparisons
 * allocate nothing.
 *
 * Direction is set by the positioning call: seekToFirst / seek make it
 * forward (then only next()), seekToLast / seekForPrev make it reverse
 * (then only prev()). Entries with equal (key, seq) in two children must
 * not occur (sequence numbers are unique). `key` and `value` are views
 * valid until the next move. CORRUPTION from a child propagates.
 */
export class MergingIterator {
  private readonly keys: Uint8Array[];
  private readonly seqs: Float64Array;
  private readonly kinds: Uint8Array;
  /** Heap of child indices; heap[0] is the current child. */
  private readonly heap: Int32Array;
  private size = 0;
  private reverse = false;

  constructor(private readonly children: readonly InternalIterator[]) {
    const n = children.length;
    this.keys = new Array<Uint8Array>(n).fill(EMPTY);
    this.seqs = new Float64Array(n);
    this.kinds = new Uint8Array(n);
    this.heap = new Int32Array(n);
  }

  get valid(): boolean {
    return this.size > 0;
  }

  /** The current user key (requires valid). */
  get key(): Uint8Array {
    return this.keys[this.heap[0]!]!;
  }

  get seq(): number {
    return this.seqs[this.heap[0]!]!;
  }

  get kind(): EntryKind {
    return this.kinds[this.heap[0]!] as EntryKind;
  }

  get value(): Uint8Array {
    return this.children[this.heap[0]!]!.value;
  }

  seekToFirst(): void {
    this.reverse = false;
    for (const c of this.children) c.seekToFirst();
    this.rebuild();
  }

  /** Forward, at the first entry >= (key, seq). */
  seek(key: Uint8Array, seq = MAX_SEQ): void {
    this.reverse = false;
    for (const c of this.children) c.seek(key, seq);
    this.rebuild();
  }

  seekToLast(): void {
    this.reverse = true;
    for (const c of this.children) c.seekToLast();
    this.rebuild();
  }

  /**
   * Reverse, at the last entry whose user key is <= `key` (`inclusive`) or
   * < `key`. Sequence numbers must be >= 1 (0 is used as the seek target).
   */
  seekForPrev(key: Uint8Array, inclusive: boolean): void {
    this.reverse = true;
    for (const c of this.children) {
      c.seek(key, inclusive ? 0 : MAX_SEQ);
      if (c.valid) c.prev();
      else c.seekToLast();
    }
    this.rebuild();
  }

  /** Forward step (after seekToFirst / seek). Requires valid. */
  next(): void {
    const top = this.heap[0]!;
    this.children[top]!.next();
    this.afterMove(top);
  }

  /** Reverse step (after seekToLast / seekForPrev). Requires valid. */
  prev(): void {
    const top = this.heap[0]!;
    this.children[top]!.prev();
    this.afterMove(top);
  }

  private afterMove(top: number): void {
    if (this.load(top)) {
      this.siftDown(0);
    } else {
      this.heap[0] = this.heap[--this.size]!;
      if (this.size > 0) this.siftDown(0);
    }
  }

  /** Caches child i's position; false when it is exhausted. */
  private load(i: number): boolean {
    const c = this.children[i]!;
    if (!c.valid) return false;
    this.keys[i] = c.key;
    this.seqs[i] = c.seq;
    this.kinds[i] = c.kind;
    return true;
  }

  private rebuild(): void {
    this.size = 0;
    for (let i = 0; i < this.children.length; i++) if (this.load(i)) this.heap[this.size++] = i;
    for (let i = (this.size >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** True when child a comes before child b in the current direction. */
  private before(a: number, b: number): boolean {
    const ka = this.keys[a]!;
    const kb = this.keys[b]!;
    let c = compareRange(ka, 0, ka.length, kb, 0, kb.length);
    if (c === 0) {
      const sa = this.seqs[a]!;
      const sb = this.seqs[b]!;
      c = sa === sb ? this.kinds[b]! - this.kinds[a]! : sa > sb ? -1 : 1;
    }
    return this.reverse ? c > 0 : c < 0;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = this.size;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.before(heap[r]!, heap[l]!) ? r : l;
      if (!this.before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}
