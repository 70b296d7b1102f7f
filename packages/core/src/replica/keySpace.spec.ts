import { describe, expect, it } from '@jest/globals';
import { dataKey, isDataKey, KeySpace, partitionOfDataKey, partitionRange, partitionsInEngineRange, userKeyOf } from './keySpace';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('data keys prefixed by partition', () => {
  it("is 'd' + 2-byte big-endian partition + UTF-8 key, and decodes back", () => {
    const k = dataKey(0x1234, 'é');
    expect(hex(k)).toBe('641234c3a9');
    expect(isDataKey(k)).toBe(true);
    expect(partitionOfDataKey(k)).toBe(0x1234);
    expect(userKeyOf(k)).toBe('é');
    expect(() => userKeyOf(Uint8Array.of(KeySpace.data, 1))).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    expect(() => dataKey(1 << 16, 'k')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('a partition range holds exactly its keys, the last one ends the data space', () => {
    const r = partitionRange(5);
    expect([hex(r.gte), hex(r.lt)]).toEqual(['640005', '640006']);
    const inside = dataKey(5, '\u{10FFFF}');
    expect(Buffer.compare(r.gte, inside) <= 0 && Buffer.compare(inside, r.lt) < 0).toBe(true);
    expect(Buffer.compare(dataKey(6, ''), r.lt)).toBe(0);
    expect(hex(partitionRange(2, 0xffff).lt)).toBe('65');
    expect(() => partitionRange(3, 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('maps an engine-key range onto the partitions it may touch, erring wide', () => {
    expect(partitionsInEngineRange(dataKey(3, 'a'), dataKey(7, 'z'), 16)).toEqual({ first: 3, last: 7 });
    expect(partitionsInEngineRange(Uint8Array.of(0x00), dataKey(2, ''), 16)).toEqual({ first: 0, last: 2 });
    expect(partitionsInEngineRange(dataKey(9, 'x'), Uint8Array.of(0x6d, 1), 16)).toEqual({ first: 9, last: 15 });
    expect(partitionsInEngineRange(Uint8Array.of(0x68), Uint8Array.of(0x6d), 16)).toBeUndefined(); // hints to meta
    expect(partitionsInEngineRange(Uint8Array.of(0x10), Uint8Array.of(0x20), 16)).toBeUndefined();
    expect(partitionsInEngineRange(Uint8Array.of(0x64), Uint8Array.of(0x64, 0), 16)).toEqual({ first: 0, last: 0 });
  });
});
