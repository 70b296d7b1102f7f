import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareInternal, MAX_SEQ, type EntryKind } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import { LevelIterator } from './LevelIterator';
import { MergingIterator } from './MergingIterator';
import { FileMeta } from '../version/FileMeta';

interface E {
  key: Uint8Array;
  seq: number;
  kind: EntryKind;
  value: Uint8Array;
}

const cmp = (a: E, b: E): number => compareInternal(a.key, a.seq, a.kind, b.key, b.seq, b.kind);

/** An InternalIterator over a sorted array (test double for memtables and tables). */
class ArrayIterator implements InternalIterator {
  private i = -1;
  constructor(private readonly entries: readonly E[]) {}
  get valid(): boolean {
    return this.i >= 0 && this.i < this.entries.length;
  }
  seekToFirst(): void {
    this.i = 0;
  }
  seekToLast(): void {
    this.i = this.entries.length - 1;
  }
  seek(key: Uint8Array, seq = MAX_SEQ): void {
    this.i = this.entries.findIndex((e) => compareInternal(e.key, e.seq, e.kind, key, seq, 1) >= 0);
    if (this.i < 0) this.i = this.entries.length;
  }
  next(): void {
    this.i++;
  }
  prev(): void {
    this.i--;
  }
  get key(): Uint8Array {
    return this.entries[this.i]!.key;
  }
  get seq(): number {
    return this.entries[this.i]!.seq;
  }
  get kind(): EntryKind {
    return this.entries[this.i]!.kind;
  }
  get value(): Uint8Array {
    return this.entries[this.i]!.value;
  }
}

const keyArb = fc.uint8Array({ maxLength: 3 }).map((k) => k.map((b) => b % 4));

/** Children with globally unique sequence numbers. */
const childrenArb = fc
  .array(fc.array(fc.record({ key: keyArb, kind: fc.constantFrom<EntryKind>(0, 1) }), { maxLength: 12 }), { maxLength: 6 })
  .map((children) => {
    let seq = 1;
    return children.map((entries) => entries.map((e) => ({ ...e, seq: seq++, value: Uint8Array.of(seq & 0xff) })).sort(cmp));
  });

const show = (e: { key: Uint8Array; seq: number }): string => `${Buffer.from(e.key).toString('hex')}@${e.seq}`;

function drain(it: MergingIterator, forward: boolean): string[] {
  const out: string[] = [];
  for (; it.valid; forward ? it.next() : it.prev()) out.push(show(it));
  return out;
}

describe('MergingIterator', () => {
  it('yields the union in internal order, forward and in reverse', () => {
    fc.assert(
      fc.property(childrenArb, (children) => {
        const all = children.flat().sort(cmp).map(show);
        const m = new MergingIterator(children.map((c) => new ArrayIterator(c)));
        m.seekToFirst();
        expect(drain(m, true)).toEqual(all);
        m.seekToLast();
        expect(drain(m, false)).toEqual([...all].reverse());
      }),
    );
  });

  it('seek and seekForPrev position like a sorted array', () => {
    fc.assert(
      fc.property(childrenArb, keyArb, fc.boolean(), (children, target, inclusive) => {
        const all = children.flat().sort(cmp);
        const m = new MergingIterator(children.map((c) => new ArrayIterator(c)));
        m.seek(target);
        expect(drain(m, true)).toEqual(all.filter((e) => Buffer.compare(e.key, target) >= 0).map(show));
        m.seekForPrev(target, inclusive);
        const below = all.filter((e) => {
          const c = Buffer.compare(e.key, target);
          return c < 0 || (inclusive && c === 0);
        });
        expect(drain(m, false)).toEqual(below.map(show).reverse());
      }),
    );
  });
});

describe('LevelIterator', () => {
  it('concatenates disjoint files and opens them lazily', () => {
    const files = [0, 1, 2].map((i) => {
      const entries = [0, 1].map((j) => ({
        key: Uint8Array.of(i * 10 + j),
        seq: i * 2 + j + 1,
        kind: 1 as EntryKind,
        value: Uint8Array.of(j),
      }));
      return { meta: new FileMeta(i + 1, 100, 2, 0, 4, 1, 6, entries[0]!.key, entries[1]!.key), entries };
    });
    const opened: number[] = [];
    const it = new LevelIterator(
      files.map((f) => f.meta),
      (meta) => {
        opened.push(meta.number);
        return new ArrayIterator(files.find((f) => f.meta === meta)!.entries);
      },
    );
    it.seek(Uint8Array.of(11));
    expect(opened).toEqual([2]);
    const keys: number[] = [];
    for (; it.valid; it.next()) keys.push(it.key[0]!);
    expect(keys).toEqual([11, 20, 21]);
    it.seek(Uint8Array.of(10));
    it.prev();
    expect(it.key[0]).toBe(1);
    it.seekToLast();
    const back: number[] = [];
    for (; it.valid; it.prev()) back.push(it.key[0]!);
    expect(back).toEqual([21, 20, 11, 10, 1, 0]);
    it.seek(Uint8Array.of(99));
    expect(it.valid).toBe(false);
  });
});
