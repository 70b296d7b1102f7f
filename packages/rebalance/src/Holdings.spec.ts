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
});
