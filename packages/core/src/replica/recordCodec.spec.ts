import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { asVersion, type Sibling } from '../ports/types';
import { decodeRecord, decodeRecordShared, encodeRecord } from './recordCodec';

const sibling: fc.Arbitrary<Sibling> = fc.record(
  {
    version: fc.uint8Array({ maxLength: 40 }).map(asVersion),
    value: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
    writtenAt: fc.integer({ min: 0, max: 2 ** 47 }),
    expiresAt: fc.integer({ min: 0, max: 2 ** 47 }),
  },
  { requiredKeys: ['version', 'value', 'writtenAt'] },
);

describe('record codec', () => {
  it('round-trips any sibling list', () => {
    fc.assert(
      fc.property(fc.array(sibling, { maxLength: 6 }), (siblings) => {
        const decoded = decodeRecord(encodeRecord(siblings));
        expect(decoded).toEqual(
          siblings.map((s) => ({ ...s, version: Uint8Array.from(s.version), value: s.value === null ? null : Uint8Array.from(s.value) })),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('decodeRecordShared decodes the same siblings as views into the record, decodeRecord as copies', () => {
    fc.assert(
      fc.property(fc.array(sibling, { minLength: 1, maxLength: 6 }), (siblings) => {
        const bytes = encodeRecord(siblings);
        const shared = decodeRecordShared(bytes);
        expect(shared).toEqual(decodeRecord(bytes));
        for (const s of shared) {
          expect(s.version.constructor).toBe(Uint8Array);
          expect(s.version.buffer).toBe(bytes.buffer);
          if (s.value !== null) expect(s.value.buffer).toBe(bytes.buffer);
        }
        for (const s of decodeRecord(bytes)) expect(s.version.buffer).not.toBe(bytes.buffer);
      }),
      { numRuns: 100 },
    );
  });

  it('reports CORRUPTION for every truncation and for trailing bytes, never wrong data', () => {
    const bytes = encodeRecord([
      { version: asVersion(Uint8Array.of(1, 2)), value: Uint8Array.of(9, 9, 9), writtenAt: 5, expiresAt: 10 },
      { version: asVersion(Uint8Array.of(3)), value: null, writtenAt: 6 },
    ]);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeRecord(bytes.subarray(0, cut), 'rec')).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    }
    expect(() => decodeRecord(Uint8Array.from([...bytes, 0]))).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    expect(() => decodeRecord(Uint8Array.of(7, 0))).toThrow(/unknown record format 7/);
  });

  it('never throws anything but CORRUPTION on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeRecord(bytes);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('CORRUPTION');
        }
      }),
      { numRuns: 500 },
    );
  });
});
