import { AbstractEngineIterator, type Entry, type IteratorSpec } from '@dynamis/core';
import { copyOut } from '../util/allocBytes';
import { ByteBuffer } from '../util/ByteBuffer';
import { compareRange, KIND_VALUE } from '../util/internalKey';
import type { RangeDelSet } from '../rangedel/RangeTombstone';
import type { MergingIterator } from './MergingIterator';

/**
 * The engine's user-facing iterator: walks a MergingIterator over every
 * source (memtables, L0 files, levels) and yields, per user key, the newest
 * entry with seq <= the snapshot, skipping keys whose newest visible entry
 * is a deletion or is deleted by a newer range tombstone visible at the
 * snapshot, within the spec's bounds, forward or in reverse (a deleted
 * range costs a step per entry it still holds, until compaction drops them).
 *
 * The snapshot is consistent: later writes carry larger sequence numbers
 * and are invisible; the sources (memtables and the Version's files) stay
 * pinned until the iterator ends, when `release` is called once.
 * Everything is synchronous; yielded keys and values are fresh copies.
 */
export class DbIterator extends AbstractEngineIterator {
  private started = false;
  private finished = false;
  /** The user key being skipped or collected (copied: child views move). */
  private readonly current = new ByteBuffer(64);

  constructor(
    private readonly it: MergingIterator,
    private readonly snapshot: number,
    private readonly spec: IteratorSpec,
    private onRelease: (() => void) | undefined,
    /** The range tombstones visible at the snapshot; undefined when there are none. */
    private readonly rangeDels?: RangeDelSet,
    /**
     * `fenced`: the error every read rejects with (the range meets a fenced
     * damaged range); `onError`: told of every error a read throws (so the
     * engine can quarantine a damaged table it names).
     */
    private readonly guard?: { readonly fenced: Error | undefined; readonly onError: (err: unknown) => void },
  ) {
    super(spec.limit, spec);
  }

  /** Repositions per the spec's direction; `target` is within the bounds (checked by the base class). */
  protected override _seek(target: Uint8Array): void {
    this.guarded(() => this.seekTo(target));
  }

  protected override _next(): Entry | undefined {
    return this.guarded(() => this.step());
  }

  protected override _nextv(size: number): Entry[] {
    return this.guarded(() => {
      const out: Entry[] = [];
      while (out.length < size) {
        const entry = this.step();
        if (entry === undefined) break;
        out.push(entry);
      }
      return out;
    });
  }

  /** Runs a read: throws the fence's error, or reports what `read` throws to the guard and rethrows it. */
  private guarded<T>(read: () => T): T {
    const guard = this.guard;
    if (guard === undefined) return read();
    if (guard.fenced !== undefined) throw guard.fenced;
    try {
      return read();
    } catch (err) {
      guard.onError(err);
      throw err;
    }
  }

  private seekTo(target: Uint8Array): void {
    this.started = true;
    this.finished = false;
    if (this.spec.reverse) this.it.seekForPrev(target, true);
    else this.it.seek(target);
  }

  private step(): Entry | undefined {
    if (this.finished) return undefined;
    if (!this.started) this.start();
    const entry = this.spec.reverse ? this.prevEntry() : this.nextEntry();
    if (entry === undefined) this.finished = true;
    return entry;
  }

  protected override _close(): void {
    this.finished = true;
    const release = this.onRelease;
    this.onRelease = undefined;
    if (release !== undefined) release();
  }

  private start(): void {
    this.started = true;
    const { lower, upper, reverse } = this.spec;
    if (!reverse) {
      if (lower === undefined) this.it.seekToFirst();
      else this.it.seek(lower);
      if (lower !== undefined && !this.spec.lowerInclusive) this.skipKey(lower);
    } else if (upper === undefined) {
      this.it.seekToLast();
    } else {
      this.it.seekForPrev(upper, this.spec.upperInclusive);
    }
  }

  /** Forward: moves past every entry of user key `key[0, length)`. */
  private skipKey(key: Uint8Array, length = key.length): void {
    const it = this.it;
    while (it.valid && equals(it.key, key, length)) it.next();
  }

  private nextEntry(): Entry | undefined {
    const it = this.it;
    const snapshot = this.snapshot;
    const upper = this.spec.upper;
    while (it.valid) {
      const key = it.key;
      if (upper !== undefined) {
        const c = compareRange(key, 0, key.length, upper, 0, upper.length);
        if (c > 0 || (c === 0 && !this.spec.upperInclusive)) return undefined;
      }
      if (it.seq > snapshot) {
        it.next();
        continue;
      }
      const cur = this.remember(key);
      let entry: Entry | undefined;
      if (it.kind === KIND_VALUE && !this.rangeDeleted(key, it.seq)) {
        const v = it.value;
        entry = [copyOut(cur.buf, 0, cur.length), copyOut(v, 0, v.length)];
      }
      this.skipKey(cur.buf, cur.length);
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  private prevEntry(): Entry | undefined {
    const it = this.it;
    const snapshot = this.snapshot;
    const lower = this.spec.lower;
    while (it.valid) {
      const key = it.key;
      if (lower !== undefined) {
        const c = compareRange(key, 0, key.length, lower, 0, lower.length);
        if (c < 0 || (c === 0 && !this.spec.lowerInclusive)) return undefined;
      }
      const cur = this.remember(key);
      // Going backwards, a key's entries come oldest first: the last visible one wins.
      let value: Uint8Array | undefined;
      let seen = false;
      let seenSeq = 0;
      while (it.valid && equals(it.key, cur.buf, cur.length)) {
        if (it.seq <= snapshot) {
          seen = true;
          seenSeq = it.seq;
          if (it.kind === KIND_VALUE) {
            const v = it.value;
            value = copyOut(v, 0, v.length);
          } else {
            value = undefined;
          }
        }
        it.prev();
      }
      if (seen && value !== undefined && (this.rangeDels === undefined || !this.rangeDeleted(cur.buf.subarray(0, cur.length), seenSeq))) {
        return [copyOut(cur.buf, 0, cur.length), value];
      }
    }
    return undefined;
  }

  /** True when a visible range tombstone newer than `seq` deletes `key`. */
  private rangeDeleted(key: Uint8Array, seq: number): boolean {
    const rangeDels = this.rangeDels;
    return rangeDels !== undefined && rangeDels.covers(key, seq);
  }

  private remember(key: Uint8Array): ByteBuffer {
    const cur = this.current;
    cur.reset();
    cur.putBytes(key);
    return cur;
  }
}

/** True when `a` equals `b[0, length)`. */
function equals(a: Uint8Array, b: Uint8Array, length: number): boolean {
  return a.length === length && compareRange(a, 0, length, b, 0, length) === 0;
}
