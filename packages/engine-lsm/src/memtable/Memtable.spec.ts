import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDynamisError } from '@dynamis/core';
import { compareInternal } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import { Memtable } from './Memtable';

interface E {
  key: Uint8Array;
  seq: number;
  kind: EntryKind;
  value: Uint8Array;
}

function sortInternal(es: E[]): E[] {
  return [...es].sort((a, b) => compareInternal(a.key, a.seq, a.kind, b.key, b.seq, b.kind));
}

function collectForward(m: Memtable): E[] {
  const it = m.iterator();
  const out: E[] = [];
  for (it.seekToFirst(); it.valid; it.next()) out.push({ key: it.key.slice(), seq: it.seq, kind: it.kind, value: it.value.slice() });
  return out;
}

// Keys from a tiny alphabet, up to 12 bytes: many shared 8-byte prefixes,
// keys that are prefixes of others, and keys on both sides of 8 bytes.
const keyArb = fc.array(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), { maxLength: 12 }).map((a) => Uint8Array.from(a));

const entryArb = fc.record({
  key: keyArb,
  kind: fc.constantFrom<EntryKind>(0, 1),
  value: fc.uint8Array({ maxLength: 8 }),
});

describe('Memtable', () => {
  it('iterates in internal order and answers snapshot gets like a model (property)', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 200 }), fc.nat(250), (raw, snap) => {
        const m = new Memtable();
        const es: E[] = raw.map((r, i) => ({ ...r, seq: i, value: r.kind === 1 ? r.value : new Uint8Array(0) }));
        for (const e of es) m.add(e.seq, e.kind, e.key, e.value);
        const sorted = sortInternal(es);
        expect(collectForward(m)).toEqual(sorted);
        const back: E[] = [];
        const it = m.iterator();
        for (it.seekToLast(); it.valid; it.prev()) back.push({ key: it.key.slice(), seq: it.seq, kind: it.kind, value: it.value.slice() });
        expect(back).toEqual([...sorted].reverse());
        for (const e of es) {
          const newest = sorted.find((x) => Buffer.compare(x.key, e.key) === 0 && x.seq <= snap);
          const got = m.get(e.key, snap);
          if (newest === undefined) expect(got).toBeUndefined();
          else if (newest.kind === 0) expect(got).toEqual({ kind: 0, seq: newest.seq });
          else expect(got).toEqual({ kind: 1, seq: newest.seq, value: newest.value });
          it.seek(e.key, snap);
          const first = sorted.find((x) => compareInternal(x.key, x.seq, x.kind, e.key, snap, 1) >= 0);
          expect(it.valid).toBe(first !== undefined);
          if (first !== undefined) expect([it.key.slice(), it.seq]).toEqual([first.key, first.seq]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps an iterator valid across later inserts, which it sees', () => {
    const m = new Memtable();
    m.add(1, 1, Buffer.from('b'), Buffer.from('1'));
    m.add(2, 1, Buffer.from('d'), Buffer.from('2'));
    const it = m.iterator();
    it.seek(Buffer.from('b'));
    m.add(3, 1, Buffer.from('c'), Buffer.from('3'));
    m.add(4, 1, Buffer.from('a'), Buffer.from('4'));
    const seen: string[] = [];
    for (; it.valid; it.next()) seen.push(Buffer.from(it.key).toString());
    expect(seen).toEqual(['b', 'c', 'd']);
    it.seekToLast();
    it.prev();
    it.prev();
    it.prev();
    expect(Buffer.from(it.key).toString()).toBe('a');
    it.prev();
    expect(it.valid).toBe(false);
  });

  it('copies keys and values, and rejects bad input', () => {
    const m = new Memtable();
    const k = Buffer.from('k');
    const v = Buffer.from('v1');
    m.add(1, 1, k, v);
    k[0] = 0x7a;
    v[0] = 0x7a;
    expect(m.get(Buffer.from('k'))).toEqual({ kind: 1, seq: 1, value: new Uint8Array(Buffer.from('v1')) });
    expect(m.get(Buffer.from('k'), 0)).toBeUndefined();
    const bad = (f: () => void): boolean => {
      try {
        f();
        return false;
      } catch (err) {
        return isDynamisError(err, 'INVALID_ARGUMENT');
      }
    };
    expect(bad(() => m.add(1, 1, Buffer.from('k'), v))).toBe(true);
    expect(bad(() => m.add(-1, 1, k, v))).toBe(true);
    expect(bad(() => m.add(1.5, 1, k, v))).toBe(true);
    expect(bad(() => m.add(2, 3 as EntryKind, k, v))).toBe(true);
    expect(m.count).toBe(1);
    expect(m.minSeq).toBe(1);
    expect(m.maxSeq).toBe(1);
    expect(m.approximateBytes).toBeGreaterThan(3);
  });

  it('keeps big values in their own arena chunks', () => {
    const m = new Memtable();
    const big = new Uint8Array(700_000);
    for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
    m.add(1, 1, Buffer.from('a'), new Uint8Array(10));
    m.add(2, 1, Buffer.from('b'), big);
    m.add(3, 1, Buffer.from('c'), new Uint8Array(10).fill(3));
    expect(Buffer.compare(m.get(Buffer.from('b'))!.value!, big)).toBe(0);
    expect(m.get(Buffer.from('c'))?.value).toEqual(new Uint8Array(10).fill(3));
  });
});
