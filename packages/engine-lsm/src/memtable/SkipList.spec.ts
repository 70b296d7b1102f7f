import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compareInternal } from '../util/internalKey';
import { NIL, SkipList } from './SkipList';

interface E {
  key: Uint8Array;
  seq: number;
  kind: number;
}

function entries(list: SkipList): E[] {
  const out: E[] = [];
  for (let n = list.first(); n !== NIL; n = list.next(n))
    out.push({ key: list.keyOf(n).slice(), seq: list.seqOf(n), kind: list.kindOf(n) });
  return out;
}

function keyOf(i: number): Uint8Array {
  return Buffer.from(String(i).padStart(16, '0'), 'latin1');
}

describe('SkipList sequential-insert splice', () => {
  it('links ascending keys without a search and keeps every level ordered', () => {
    const list = new SkipList();
    for (let i = 0; i < 5000; i++) expect(list.insert(keyOf(i), i, 1, new Uint8Array([i & 0xff]))).toBe(true);
    expect(list.sequentialInserts).toBe(4999);
    const got = entries(list);
    expect(got.map((e) => Buffer.from(e.key).toString('latin1'))).toEqual(
      Array.from({ length: 5000 }, (_, i) => String(i).padStart(16, '0')),
    );
    // Searches use the upper levels: a wrong tower link would misplace seeks.
    for (const i of [0, 1, 777, 2500, 4999]) expect(list.seqOf(list.seek(keyOf(i), Number.MAX_SAFE_INTEGER, 1))).toBe(i);
    expect(list.seek(keyOf(5000), Number.MAX_SAFE_INTEGER, 1)).toBe(NIL);
  });

  it('matches a sorted model for runs of ascending keys mixed with random ones and duplicates (property)', () => {
    const run = fc.record({ start: fc.nat(300), length: fc.integer({ min: 1, max: 40 }), step: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(fc.array(fc.oneof(run, fc.nat(300)), { maxLength: 60 }), fc.boolean(), (parts, reuseSeq) => {
        const list = new SkipList();
        const model: E[] = [];
        let seq = 0;
        const add = (k: number): void => {
          const s = reuseSeq ? k % 7 : seq++;
          const key = keyOf(k);
          const dup = model.some((e) => e.seq === s && Buffer.compare(e.key, key) === 0);
          expect(list.insert(key, s, 1, new Uint8Array(0))).toBe(!dup);
          if (!dup) model.push({ key, seq: s, kind: 1 });
        };
        for (const p of parts) {
          if (typeof p === 'number') add(p);
          else for (let i = 0; i < p.length; i++) add(p.start + i * p.step);
        }
        model.sort((a, b) => compareInternal(a.key, a.seq, a.kind as 0 | 1, b.key, b.seq, b.kind as 0 | 1));
        expect(entries(list)).toEqual(model);
        for (const e of model) {
          const n = list.seek(e.key, e.seq, 1);
          expect(n).not.toBe(NIL);
          expect([Buffer.from(list.keyOf(n)).equals(Buffer.from(e.key)), list.seqOf(n)]).toEqual([true, e.seq]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('SkipList key order', () => {
  it('orders keys of 0..20 bytes by memcmp (a proper prefix first), whichever of the 12 hot prefix bytes they differ in (property)', () => {
    // Shared heads of 0..11 bytes plus short tails of few byte values: keys tie on 4, 8 or 12 prefix bytes,
    // zero padding meets real zeros, and ties go on past byte 12.
    const heads = [
      [],
      [0x64, 0, 0, 0x75, 0x73, 0x65, 0x72],
      [0x64, 0, 0, 0x75, 0x73, 0x65, 0x72, 0x31, 0x32],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ];
    const tail = fc.array(fc.constantFrom(0, 1, 0x80, 0xff), { maxLength: 7 });
    const key = fc.tuple(fc.constantFrom(...heads), tail).map(([h, t]) => Uint8Array.from([...h, ...t]));
    fc.assert(
      fc.property(fc.array(fc.record({ key, seq: fc.nat(3) }), { maxLength: 80 }), (adds) => {
        const list = new SkipList();
        const model: E[] = [];
        for (const { key: k, seq } of adds) {
          const dup = model.some((e) => e.seq === seq && Buffer.compare(e.key, k) === 0);
          expect(list.insert(k, seq, 1, new Uint8Array(0))).toBe(!dup);
          if (!dup) model.push({ key: k, seq, kind: 1 });
        }
        model.sort((a, b) => compareInternal(a.key, a.seq, a.kind as 0 | 1, b.key, b.seq, b.kind as 0 | 1));
        expect(entries(list).map((e) => [Buffer.from(e.key).toString('hex'), e.seq])).toEqual(
          model.map((e) => [Buffer.from(e.key).toString('hex'), e.seq]),
        );
        for (const e of model) expect(list.seqOf(list.seek(e.key, e.seq, 1))).toBe(e.seq);
      }),
      { numRuns: 400 },
    );
  });
});
