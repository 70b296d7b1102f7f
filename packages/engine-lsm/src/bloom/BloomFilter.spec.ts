import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BloomFilter } from './BloomFilter';
import { BloomFilterBuilder } from './BloomFilterBuilder';
import { bloomHash } from './bloomHash';

function keyOf(i: number, salt = 0): Uint8Array {
  const k = new Uint8Array(16);
  const v = new DataView(k.buffer);
  v.setUint32(0, i);
  v.setUint32(4, salt);
  v.setUint32(8, Math.imul(i, 2654435761) >>> 0);
  return k;
}

describe('bloomHash', () => {
  it('matches LevelDB Hash() reference values (seed 0xbc9f1d34)', () => {
    // From LevelDB util/hash_test.cc, which uses seed 0xbc9f1d34.
    expect(bloomHash(new Uint8Array([]))).toBe(0xbc9f1d34);
    expect(bloomHash(new Uint8Array([0x62]))).toBe(0xef1345c4);
    expect(bloomHash(new Uint8Array([0xc3, 0x97]))).toBe(0x5b663814);
    expect(bloomHash(new Uint8Array([0xe2, 0x99, 0xa5]))).toBe(0x323c078f);
    expect(bloomHash(new Uint8Array([0xe1, 0x80, 0xb9, 0x32]))).toBe(0xed21633a);
  });

  it('hashes a sub-range like the copied range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), fc.nat(40), (b, x, y) => {
        const s = Math.min(x, y, b.length);
        const e = Math.min(Math.max(x, y), b.length);
        expect(bloomHash(b, s, e)).toBe(bloomHash(b.slice(s, e)));
      }),
    );
  });
});

describe('BloomFilter', () => {
  it('never misses an added key, and has ~1% false positives at 10 bits/key', () => {
    const b = new BloomFilterBuilder(10);
    const n = 10_000;
    for (let i = 0; i < n; i++) b.addKey(keyOf(i));
    const data = b.finish();
    expect(data.length).toBe(Math.ceil((n * 10) / 8) + 1);
    expect(data[data.length - 1]).toBe(7);
    const f = new BloomFilter(data);
    for (let i = 0; i < n; i++) expect(f.mayContain(keyOf(i))).toBe(true);
    let fp = 0;
    for (let i = 0; i < n; i++) if (f.mayContain(keyOf(i, 1))) fp++;
    const rate = fp / n;
    process.stdout.write(`bloom: false-positive rate at 10 bits/key over 10k keys = ${(rate * 100).toFixed(2)}%\n`);
    expect(rate).toBeLessThan(0.02);
  });

  it('works for tiny and empty key sets and matches everything when malformed', () => {
    const b = new BloomFilterBuilder();
    const empty = new BloomFilter(b.finish());
    expect(empty.mayContain(keyOf(1))).toBe(false);
    b.addKey(new Uint8Array(0));
    const one = new BloomFilter(b.finish());
    expect(one.mayContain(new Uint8Array(0))).toBe(true);
    expect(new BloomFilter(new Uint8Array(0)).mayContain(keyOf(1))).toBe(true);
    expect(new BloomFilter(new Uint8Array([0, 0, 0, 31])).mayContain(keyOf(1))).toBe(true);
    b.reset();
    expect(b.count).toBe(0);
  });

  it('rejects bad bitsPerKey', () => {
    expect(() => new BloomFilterBuilder(0)).toThrow(/bitsPerKey/);
    expect(() => new BloomFilterBuilder(2.5)).toThrow(/bitsPerKey/);
  });
});
