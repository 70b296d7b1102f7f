import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DynamisError } from '../errors/DynamisError';
import {
  KEY_HASH_MEMO_KEYS,
  KEY_HASH_MEMO_MAX_KEY,
  keyHash,
  keyHashDigests,
  keyHashMemoSize,
  MAX_PARTITIONS,
  partitionBits,
  partitionBounds,
  partitionOfKey,
} from './keyHash';
import { decodePartitionKey, encodePartitionKey } from './partitionKey';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as DynamisError).code;
  }
  return undefined;
};

describe('keyHash (docs/format.md "Key hash")', () => {
  it('is the first 8 bytes of MD5 over the UTF-8 key, big-endian', () => {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e; md5("hello") = 5d41402abc4b2a76b9719d911017c592
    expect(keyHash('')).toBe(0xd41d8cd98f00b204n);
    expect(keyHash('hello')).toBe(0x5d41402abc4b2a76n);
    expect(keyHash('é')).toBe(0x66ddcd97cfdeabb2n); // UTF-8 c3 a9, not Latin-1 e9
    expect(partitionOfKey('user:42', 256)).toBe(0x56);
  });

  it('partitionOfKey is keyHash >> (64 - log2 Q), inside partitionBounds', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 16 }), (key, bits) => {
        const q = 2 ** bits;
        const p = partitionOfKey(key, q);
        expect(p).toBe(Number(keyHash(key) >> BigInt(64 - bits)));
        const b = partitionBounds(p, q);
        expect(keyHash(key) >= b.start && keyHash(key) < b.end).toBe(true);
      }),
    );
  });

  it('partitionOfKey answers the same for a key seen before (its memo), for long keys and across memo resets; the memo stays bounded', () => {
    const uncached = (key: string, q: number): number => (q === 1 ? 0 : Number(keyHash(key) >> BigInt(64 - Math.log2(q))));
    const long = 'k'.repeat(KEY_HASH_MEMO_MAX_KEY + 1);
    const keys = [long, ...Array.from({ length: 2 * KEY_HASH_MEMO_KEYS + 10 }, (_, i) => `user${i % (KEY_HASH_MEMO_KEYS + 7)}`)];
    for (const q of [1, 2, 256, MAX_PARTITIONS]) {
      for (const key of keys) {
        expect(partitionOfKey(key, q)).toBe(uncached(key, q));
        expect(partitionOfKey(key, q)).toBe(uncached(key, q)); // again: from the memo
        expect(keyHashMemoSize()).toBeLessThanOrEqual(2 * KEY_HASH_MEMO_KEYS);
      }
    }
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 50 }), fc.integer({ min: 1, max: 16 }), (ks, bits) => {
        for (const k of [...ks, ...ks]) expect(partitionOfKey(k, 2 ** bits)).toBe(uncached(k, 2 ** bits));
      }),
    );
  });

  it('the memo keeps a key used since its last generation turn, and forgets one unused for two turns', () => {
    const K = KEY_HASH_MEMO_KEYS;
    let n = 0;
    const add = (count: number): void => {
      for (let i = 0; i < count; i++) partitionOfKey(`filler-${n++}`, 256);
    };
    const misses = (key: string): number => {
      const before = keyHashDigests();
      partitionOfKey(key, 256);
      return keyHashDigests() - before;
    };
    // Add new keys until a generation just turned: the older one full, the current one holding the last key.
    for (let i = 0; i <= 2 * K && keyHashMemoSize() !== K + 1; i++) add(1);
    expect(keyHashMemoSize()).toBe(K + 1);
    expect(misses('hot')).toBe(1);
    expect(misses('cold')).toBe(1);
    expect(misses('cold')).toBe(0); // remembered
    add(K - 3); // the current generation is now full (K keys), no turn yet
    expect(keyHashMemoSize()).toBe(2 * K);
    add(1); // turn: hot and cold are in the older generation now
    expect(keyHashMemoSize()).toBe(K + 1);
    expect(misses('hot')).toBe(0); // found in the older generation, carried into the current one
    add(K - 2);
    add(1); // another turn: the generation holding cold is dropped; hot was carried over
    expect(misses('hot')).toBe(0);
    expect(misses('cold')).toBe(1);
  });

  it('partition bounds tile [0, 2^64)', () => {
    expect(partitionBounds(0, 1)).toEqual({ id: 0, start: 0n, end: 1n << 64n });
    expect(partitionBounds(3, 4)).toEqual({ id: 3, start: 3n << 62n, end: 1n << 64n });
    expect(partitionBounds(1, 4).end).toBe(partitionBounds(2, 4).start);
  });

  it('refuses partition counts that are not powers of two in [1, 2^16], and bad ids and keys', () => {
    for (const q of [0, 3, 100, MAX_PARTITIONS * 2, 1.5, NaN]) expect(code(() => partitionBits(q))).toBe('INVALID_ARGUMENT');
    expect(partitionBits(MAX_PARTITIONS)).toBe(16);
    expect(code(() => partitionBounds(4, 4))).toBe('INVALID_ARGUMENT');
    expect(code(() => partitionOfKey(5 as unknown as string, 4))).toBe('INVALID_ARGUMENT');
  });
});

describe('partition key encoding (docs/format.md "Partition prefix")', () => {
  it('is 2 bytes big-endian: byte order is partition order, and it round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_PARTITIONS - 1 }), fc.integer({ min: 0, max: MAX_PARTITIONS - 1 }), (a, b) => {
        const ea = encodePartitionKey(a);
        const eb = encodePartitionKey(b);
        expect(decodePartitionKey(ea)).toBe(a);
        expect(Math.sign(Buffer.compare(ea, eb))).toBe(Math.sign(a - b));
      }),
    );
    expect([...encodePartitionKey(0x1234)]).toEqual([0x12, 0x34]);
    const out = new Uint8Array(4);
    encodePartitionKey(0xabcd, out, 1);
    expect([...out]).toEqual([0, 0xab, 0xcd, 0]);
    expect(decodePartitionKey(out, 1)).toBe(0xabcd);
  });

  it('refuses ids out of range and truncated prefixes', () => {
    expect(code(() => encodePartitionKey(MAX_PARTITIONS))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodePartitionKey(-1))).toBe('INVALID_ARGUMENT');
    expect(code(() => decodePartitionKey(new Uint8Array(1)))).toBe('CORRUPTION');
    expect(code(() => decodePartitionKey(new Uint8Array(2), 1))).toBe('CORRUPTION');
  });
});
