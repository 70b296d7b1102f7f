import { describe, expect, it } from '@jest/globals';
import { keyHash, MemtableFilter } from './MemtableFilter';

describe('MemtableFilter', () => {
  it('never misses an added key and rarely admits another one', () => {
    const budget = 4 * 1024 * 1024;
    const f = new MemtableFilter(budget);
    const entries = Math.floor(budget / 156); // 16-byte keys, 100-byte values, 40 bytes of overhead
    const key = (i: number): Uint8Array => Buffer.from(`key-${String(i).padStart(12, '0')}`);
    for (let i = 0; i < entries; i++) f.add(keyHash(key(i)));
    for (let i = 0; i < entries; i++) expect(f.mayContain(keyHash(key(i)))).toBe(true);
    let fp = 0;
    for (let i = entries; i < entries + 100_000; i++) if (f.mayContain(keyHash(key(i)))) fp++;
    expect(fp / 100_000).toBeLessThan(0.002);
  });

  it('keyHash is MurmurHash3 x86_32 (seed 0x9747b28c)', () => {
    expect(keyHash(Buffer.from('The quick brown fox jumps over the lazy dog'))).toBe(0x2fa826cd);
    expect(keyHash(Buffer.from('Hello, world!'))).toBe(0x24884cba);
  });

  it('stays useful for the smallest entries the budget allows', () => {
    const f = new MemtableFilter(1 << 20);
    const entries = (1 << 20) / 40;
    for (let i = 0; i < entries; i++) f.add(keyHash(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16)));
    let fp = 0;
    for (let i = 0; i < 10_000; i++) if (f.mayContain(keyHash(Uint8Array.of(1, 2, 3, i & 0xff, i >> 8)))) fp++;
    expect(fp / 10_000).toBeLessThan(0.05);
  });
});
