import { AbstractEngineIterator, type Entry, type IteratorSpec } from '@dynamis/core';
import type BTree from 'sorted-btree';
import type { Cell } from './cell';
import { copyOut, fromKey, toKey } from './latin1Keys';

/**
 * An iterator over a copy-on-write clone of the engine's tree: the clone is
 * O(1) to take and never changes, so later writes are invisible to it.
 * Yields fresh copies of keys and values.
 */
export class MemoryIterator extends AbstractEngineIterator {
  private snapshot: BTree<string, Cell> | undefined;
  private cursor: Iterator<[string, Cell]> | undefined;
  private readonly reverse: boolean;
  /** The bound iteration stops at (upper when forward, lower in reverse). */
  private readonly stop: string | undefined;
  private readonly stopInclusive: boolean;
  /** The exclusive start bound, skipped if present; undefined when none. */
  private skip: string | undefined;
  private readonly pair: [string, Cell] = ['', { value: new Uint8Array(0), generation: 0 }];

  constructor(snapshot: BTree<string, Cell>, spec: IteratorSpec) {
    super(spec.limit, spec);
    this.snapshot = snapshot;
    this.reverse = spec.reverse;
    const lower = spec.lower === undefined ? undefined : toKey(spec.lower);
    const upper = spec.upper === undefined ? undefined : toKey(spec.upper);
    if (spec.reverse) {
      this.stop = lower;
      this.stopInclusive = spec.lowerInclusive;
      this.cursor = snapshot.entriesReversed(upper, this.pair, !spec.upperInclusive);
    } else {
      this.stop = upper;
      this.stopInclusive = spec.upperInclusive;
      this.skip = spec.lowerInclusive ? undefined : lower;
      this.cursor = snapshot.entries(lower, this.pair);
    }
  }

  protected override _next(): Entry | undefined {
    const pair = this.advance();
    return pair === undefined ? undefined : [fromKey(pair[0]), copyOut(pair[1].value)];
  }

  protected override _nextv(size: number): Entry[] {
    const out: Entry[] = [];
    while (out.length < size) {
      const pair = this.advance();
      if (pair === undefined) break;
      out.push([fromKey(pair[0]), copyOut(pair[1].value)]);
    }
    return out;
  }

  /** `target` is within the bounds (checked by the base class). */
  protected override _seek(target: Uint8Array): void {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return;
    const key = toKey(target);
    this.skip = undefined;
    this.cursor = this.reverse ? snapshot.entriesReversed(key, this.pair, false) : snapshot.entries(key, this.pair);
  }

  protected override _close(): void {
    this.cursor = undefined;
    this.snapshot = undefined;
  }

  /** The next in-range pair (the reused `pair` array), or undefined at the end. */
  private advance(): [string, Cell] | undefined {
    const cursor = this.cursor;
    if (cursor === undefined) return undefined;
    let step = cursor.next();
    if (this.skip !== undefined) {
      if (!step.done && step.value[0] === this.skip) step = cursor.next();
      this.skip = undefined;
    }
    if (step.done) return this.finish();
    const key = step.value[0];
    const stop = this.stop;
    if (stop !== undefined) {
      const past = this.reverse ? key < stop || (key === stop && !this.stopInclusive) : key > stop || (key === stop && !this.stopInclusive);
      if (past) return this.finish();
    }
    return step.value;
  }

  private finish(): undefined {
    this.cursor = undefined;
    return undefined;
  }
}
