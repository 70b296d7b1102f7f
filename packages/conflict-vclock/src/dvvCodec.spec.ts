import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeContext, decodeVersion, encodeContext, encodeVersion, maxEncodedBytes } from './dvvCodec';
import { vvCovers, vvJoin, type VersionVector } from './versionVector';

const arbId = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);
const arbCounter = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
const arbVv: fc.Arbitrary<VersionVector> = fc
  .uniqueArray(fc.tuple(arbId, arbCounter), { selector: ([id]) => id, maxLength: 8 })
  .map((entries) => entries.sort(([a], [b]) => (a < b ? -1 : 1)));

describe('dotted version vector encoding', () => {
  it('round-trips every context and version, and one value has one encoding', () => {
    fc.assert(
      fc.property(arbVv, arbId, arbCounter, (vv, node, counter) => {
        expect(decodeContext(encodeContext(vv), 8)).toEqual(vv);
        const past = vv.filter(([id, c]) => id !== node || c < counter);
        const v = { dot: { node, counter }, past };
        expect(decodeVersion(encodeVersion(v), 8)).toEqual(v);
        expect(Buffer.from(encodeVersion(decodeVersion(encodeVersion(v), 8)))).toEqual(Buffer.from(encodeVersion(v)));
        expect(encodeVersion(v).length).toBeLessThanOrEqual(maxEncodedBytes(8));
      }),
      { numRuns: 300 },
    );
  });

  it('every truncation of a valid encoding is INVALID_ARGUMENT, never another error', () => {
    fc.assert(
      fc.property(arbVv, arbId, (vv, node) => {
        const bytes = encodeVersion({ dot: { node, counter: 1 + Math.max(0, ...vv.map(([, c]) => c)) }, past: vv });
        if (bytes.length > maxEncodedBytes(8)) return;
        for (let n = 0; n < bytes.length; n++) {
          expect(() => decodeVersion(bytes.subarray(0, n), 8)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('version vectors', () => {
  it('join is the least upper bound: commutative, associative, idempotent, covering both', () => {
    fc.assert(
      fc.property(arbVv, arbVv, arbVv, (a, b, c) => {
        expect(vvJoin(a, b)).toEqual(vvJoin(b, a));
        expect(vvJoin(vvJoin(a, b), c)).toEqual(vvJoin(a, vvJoin(b, c)));
        expect(vvJoin(a, a)).toEqual(a);
        for (const [node, counter] of [...a, ...b]) expect(vvCovers(vvJoin(a, b), { node, counter })).toBe(true);
        const ids = vvJoin(a, b).map(([id]) => id);
        expect(ids).toEqual([...new Set(ids)].sort());
      }),
    );
  });
});
