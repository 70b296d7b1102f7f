import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { aboveLower, belowUpper, FULL_RANGE, inRange, isEmptyRange, rangeBounds } from './rangeBounds';

const key = fc.uint8Array({ maxLength: 3 }).map((k) => k.map((x) => [0, 1, 0x7f, 0x80, 0xff][x % 5] as number));
const range = fc.record({ gt: key, gte: key, lt: key, lte: key }, { requiredKeys: [] });

describe('rangeBounds', () => {
  it('resolves gt over gte and lt over lte; absent bounds are open', () => {
    const a = Uint8Array.of(1);
    const z = Uint8Array.of(9);
    expect(rangeBounds(undefined)).toBe(FULL_RANGE);
    expect(rangeBounds({})).toEqual(FULL_RANGE);
    expect(rangeBounds({ gt: a, gte: z, lt: z, lte: a })).toEqual({ lower: a, lowerInclusive: false, upper: z, upperInclusive: false });
    expect(rangeBounds({ gte: a, lte: z })).toEqual({ lower: a, lowerInclusive: true, upper: z, upperInclusive: true });
  });

  it('inRange agrees with a naive reading of the range (memcmp order)', () => {
    fc.assert(
      fc.property(range, key, (r, k) => {
        const cmp = (x: Uint8Array, y: Uint8Array): number => Buffer.compare(Buffer.from(x), Buffer.from(y));
        let want = true;
        if (r.gt !== undefined) want &&= cmp(k, r.gt) > 0;
        else if (r.gte !== undefined) want &&= cmp(k, r.gte) >= 0;
        if (r.lt !== undefined) want &&= cmp(k, r.lt) < 0;
        else if (r.lte !== undefined) want &&= cmp(k, r.lte) <= 0;
        const bounds = rangeBounds(r);
        expect(inRange(bounds, k)).toBe(want);
        expect(inRange(bounds, k)).toBe(aboveLower(bounds, k) && belowUpper(bounds, k));
      }),
    );
  });

  it('isEmptyRange is true only when no key fits', () => {
    fc.assert(
      fc.property(range, fc.array(key, { maxLength: 20 }), (r, keys) => {
        const bounds = rangeBounds(r);
        if (isEmptyRange(bounds)) for (const k of keys) expect(inRange(bounds, k)).toBe(false);
      }),
    );
    const x = Uint8Array.of(5);
    expect(isEmptyRange(rangeBounds({ gte: x, lte: x }))).toBe(false);
    expect(isEmptyRange(rangeBounds({ gt: x, lte: x }))).toBe(true);
    expect(isEmptyRange(rangeBounds({ gte: Uint8Array.of(6), lte: x }))).toBe(true);
    expect(isEmptyRange(rangeBounds({ gte: x }))).toBe(false);
  });
});
