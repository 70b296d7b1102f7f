import { describe, expect, it } from '@jest/globals';
import { asVersion } from '../ports/types';
import { decodePurgeNote, encodePurgeNote } from './purgeNote';

describe('purge note', () => {
  it('round-trips versions, empty ones and none', () => {
    for (const list of [[], [Uint8Array.of()], [Uint8Array.of(1, 2, 3), Uint8Array.of(9)]]) {
      const versions = list.map((v) => asVersion(v));
      expect(decodePurgeNote(encodePurgeNote(versions)).map((v) => [...v])).toEqual(list.map((v) => [...v]));
    }
    expect(Buffer.from(encodePurgeNote([asVersion(Uint8Array.of(7))])).toString('hex')).toBe('01000000010000000107');
  });

  it('is CORRUPTION on an unknown format, truncation, a count beyond the bytes, or trailing bytes', () => {
    const good = encodePurgeNote([asVersion(Uint8Array.of(1, 2))]);
    const bad = [
      Uint8Array.of(2, 0, 0, 0, 0),
      good.subarray(0, good.length - 1),
      Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff),
      Uint8Array.of(...good, 0),
    ];
    for (const b of bad) expect(() => decodePurgeNote(b)).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
  });
});
