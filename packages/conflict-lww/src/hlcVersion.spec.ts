import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeHlc, encodeHlc } from './hlcVersion';

/** The reference decoder: the format's rule as written (hlcVersion.ts), with a regex and a Buffer view. */
function referenceDecode(v: Uint8Array): { physical: number; logical: number; writer: string } | 'INVALID_ARGUMENT' {
  if (v.length < 9 || v.length > 8 + 64) return 'INVALID_ARGUMENT';
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const writer = b.toString('latin1', 8);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(writer)) return 'INVALID_ARGUMENT';
  return { physical: b.readUIntBE(0, 6), logical: b.readUInt16BE(6), writer };
}

function outcome(v: Uint8Array): unknown {
  try {
    return decodeHlc(v);
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

const writerByte = fc.constantFrom(...[...'azAZ09._-'].map((c) => c.charCodeAt(0)));
const anyByte = fc.integer({ min: 0, max: 255 });

describe('decodeHlc', () => {
  it('accepts exactly what the reference (regex) decoder accepts, with the same fields', () => {
    const versions = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc
        .tuple(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.array(fc.oneof(writerByte, writerByte, anyByte), { maxLength: 70 }))
        .map(([h, w]) => Uint8Array.from([...h, ...w])),
    );
    fc.assert(
      fc.property(versions, (v) => {
        expect(outcome(v)).toEqual(referenceDecode(v));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads back what encodeHlc wrote, up to 2^48 - 1 ms and 64 writer bytes', () => {
    const hlc = fc.record({
      physical: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      logical: fc.integer({ min: 0, max: 0xffff }),
      writer: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
    });
    fc.assert(fc.property(hlc, (h) => expect(decodeHlc(encodeHlc(h))).toEqual(h)));
  });

  it('refuses what is not a Uint8Array', () => {
    expect(() => decodeHlc('n1' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
