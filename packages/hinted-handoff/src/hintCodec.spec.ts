import { describe, expect, it } from '@jest/globals';
import { asVersion, compareBytes, isDynamisError } from '@dynamis/core';
import fc from 'fast-check';
import { decodeHintKey, decodeHintValue, encodeHintValue, HINT_SEQUENCE_KEY, hintKey, targetRange } from './hintCodec';

const target = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);
const seq = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const inRange = (key: Uint8Array, r: { gte: Uint8Array; lt: Uint8Array }) => compareBytes(key, r.gte) >= 0 && compareBytes(key, r.lt) < 0;

describe('hint formats', () => {
  it('a hint key decodes to its target and sequence, and lies in its target’s range only', () => {
    fc.assert(
      fc.property(target, target, seq, (a, b, s) => {
        const key = hintKey(a, s);
        expect(decodeHintKey(key)).toEqual({ target: a, seq: s });
        expect(inRange(key, targetRange(a))).toBe(true);
        expect(inRange(key, targetRange(b))).toBe(a === b);
        expect(compareBytes(HINT_SEQUENCE_KEY, key)).toBeLessThan(0);
      }),
    );
  });

  it('within a target, key order is sequence order', () => {
    fc.assert(
      fc.property(target, seq, seq, (t, x, y) => {
        expect(Math.sign(compareBytes(hintKey(t, x), hintKey(t, y)))).toBe(Math.sign(x - y));
      }),
    );
  });

  it('a hint value round-trips; a damaged one is CORRUPTION', () => {
    const siblings = [
      { version: asVersion(Uint8Array.of(1, 2, 3)), value: Buffer.from('v'), writtenAt: 5 },
      { version: asVersion(Uint8Array.of(4)), value: null, writtenAt: 6, expiresAt: 9 },
    ];
    const value = encodeHintValue(1234.5, 'clé', siblings);
    expect(decodeHintValue(value)).toEqual({
      createdAt: 1234.5,
      key: 'clé',
      siblings: siblings.map((s) => ({ ...s, version: expect.anything() })),
    });
    for (const bad of [value.subarray(0, 10), Uint8Array.of(9, ...value.subarray(1)), value.subarray(0, value.length - 1)]) {
      let code: string | undefined;
      try {
        decodeHintValue(bad);
      } catch (err) {
        code = isDynamisError(err) ? err.code : String(err);
      }
      expect(code).toBe('CORRUPTION');
    }
  });
});
