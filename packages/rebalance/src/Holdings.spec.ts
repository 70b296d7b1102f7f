import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bitmapBytes, Holdings } from './Holdings';

const Q = 20;
const ids = ['n1', 'n2', 'n3', 'n4'];

describe('Holdings.holds and heldByAny', () => {
  it('answer what holders(p) says, for self and every viewed node, without building it', () => {
    fc.assert(
      fc.property(
        fc.subarray([...Array(Q).keys()]),
        fc.array(fc.tuple(fc.constantFrom(...ids.slice(1)), fc.uint8Array({ minLength: bitmapBytes(Q), maxLength: bitmapBytes(Q) })), {
          maxLength: 4,
        }),
        (own, views) => {
          const h = new Holdings('n1', Q);
          for (const p of own) h.own.add(p);
          for (const [id, holds] of views) h.accept(id, { hash: 'x', partitionCount: Q, holds, settled: false });
          for (let p = 0; p < Q; p++) {
            const holders = h.holders(p);
            for (const id of ids) expect(h.holds(p, id)).toBe(holders.has(id));
            expect(h.heldByAny(p)).toBe(holders.size > 0);
          }
        },
      ),
    );
  });

  it('holds: self by its own set, others by their bitmaps', () => {
    const h = new Holdings('n1', Q);
    h.own.add(3);
    const holds = new Uint8Array(bitmapBytes(Q));
    holds[0] = 0b0010_0000; // partition 5
    h.accept('n2', { hash: 'x', partitionCount: Q, holds, settled: false });
    expect([h.holds(3, 'n1'), h.holds(5, 'n1'), h.holds(5, 'n2'), h.holds(3, 'n2'), h.holds(5, 'n3')]).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect([h.heldByAny(3), h.heldByAny(5), h.heldByAny(4)]).toEqual([true, true, false]);
  });

  it('holdsNothing: true without a view or with an empty bitmap, false once the view holds any partition', () => {
    const h = new Holdings('n1', Q);
    const empty = new Uint8Array(bitmapBytes(Q));
    const last = new Uint8Array(bitmapBytes(Q));
    last[bitmapBytes(Q) - 1] = 0b0000_1000; // partition 19, in the last byte
    h.accept('n2', { hash: 'x', partitionCount: Q, holds: empty, settled: false });
    h.accept('n3', { hash: 'x', partitionCount: Q, holds: last, settled: false });
    expect([h.holdsNothing('n2'), h.holdsNothing('n3'), h.holdsNothing('n4')]).toEqual([true, false, true]);
  });

  it('claim puts each partition it adds in `added`, and only those', () => {
    const placement = {
      partitionCount: Q,
      partitions: [...Array(Q).keys()].map((id) => ({ id })),
      preferenceList: (p: number) => (p % 2 === 0 ? ['n1', 'n2'] : ['n2', 'n3']),
    } as unknown as Parameters<Holdings['claim']>[0];
    const h = new Holdings('n1', Q);
    h.own.add(0);
    const added = new Set<number>();
    expect(h.claim(placement, 2, false, new Set([2]), added)).toBe(true);
    expect([...added].sort((a, b) => a - b)).toEqual([4, 6, 8, 10, 12, 14, 16, 18]);
  });
});
